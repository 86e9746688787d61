-- Databases made before quotes and orders keep their stored built-in roles (Cartera
-- never overwrites an admin's edits when it seeds them), so give those roles the rights
-- new databases start with. A role that already names the module is left alone.
UPDATE roles SET permissions = '{"quotes":["read","create","edit","delete","export"],' || substr(permissions, 2)
 WHERE built_in AND key = 'manager' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"quotes"%';
UPDATE roles SET permissions = '{"quotes":["read","create","edit"],' || substr(permissions, 2)
 WHERE built_in AND key = 'sales_rep' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"quotes"%';
UPDATE roles SET permissions = '{"quotes":["read"],' || substr(permissions, 2)
 WHERE built_in AND key IN ('support_agent', 'collections', 'logistics', 'read_only') AND permissions LIKE '{"%' AND permissions NOT LIKE '%"quotes"%';
UPDATE roles SET permissions = '{"orders":["read","create","edit","delete","export"],' || substr(permissions, 2)
 WHERE built_in AND key = 'manager' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"orders"%';
UPDATE roles SET permissions = '{"orders":["read","create"],' || substr(permissions, 2)
 WHERE built_in AND key = 'sales_rep' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"orders"%';
UPDATE roles SET permissions = '{"orders":["read","edit"],' || substr(permissions, 2)
 WHERE built_in AND key = 'logistics' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"orders"%';
UPDATE roles SET permissions = '{"orders":["read"],' || substr(permissions, 2)
 WHERE built_in AND key IN ('support_agent', 'collections', 'read_only') AND permissions LIKE '{"%' AND permissions NOT LIKE '%"orders"%';

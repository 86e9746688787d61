-- Databases made before activities keep their stored built-in roles (Cartera never
-- overwrites an admin's edits when it seeds them), so give those roles the activities
-- rights new databases start with. A role that already names activities is left alone.
UPDATE roles SET permissions = '{"activities":["read","create","edit","delete","export"],' || substr(permissions, 2)
 WHERE built_in AND key = 'manager' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"activities"%';
UPDATE roles SET permissions = '{"activities":["read","create","edit"],' || substr(permissions, 2)
 WHERE built_in AND key = 'sales_rep' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"activities"%';
UPDATE roles SET permissions = '{"activities":["read","create"],' || substr(permissions, 2)
 WHERE built_in AND key IN ('support_agent', 'collections') AND permissions LIKE '{"%' AND permissions NOT LIKE '%"activities"%';
UPDATE roles SET permissions = '{"activities":["read"],' || substr(permissions, 2)
 WHERE built_in AND key = 'read_only' AND permissions LIKE '{"%' AND permissions NOT LIKE '%"activities"%';

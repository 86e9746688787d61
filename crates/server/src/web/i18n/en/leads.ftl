# Cartera: interface texts in English, leads. The keys are the same as in es/leads.ftl and
# appear in no other file.

leads-empty-title = No leads yet
leads-empty-text = Leads are interested people who are not customers yet.
lead-status-new = New
lead-status-contacted = Contacted
lead-status-qualified = Qualified
lead-status-unqualified = Unqualified
lead-status-converted = Converted
leads-new = New lead
lead-conversion = Conversion
lead-converted-on = Converted on { $when }.
lead-not-converted = When the lead is ready to buy, convert it into an account and a contact.
lead-convert = Convert
convert-title = Convert { $name }
convert-intro = The lead becomes a contact at an account; its notes and history stay on the lead.
convert-account = Account
convert-new-account = Create a new account
convert-account-name = Name of the new account
convert-existing-found = Or use an existing account with a similar name:
convert-use-existing = Use { $name }
convert-contact = Contact
convert-contact-text = A new contact is made from the lead
convert-duplicate-text = An account or contact like this one already exists. Choose an existing account above, or create anyway.

## Where leads and deals come from (the known channels; other sources show as typed)
source-web-form = Web form
source-referral = Referral
source-whatsapp = WhatsApp
source-instagram = Instagram
source-facebook = Facebook
source-fair = Trade fair
source-mercado-libre = Mercado Libre
source-google-ads = Google Ads
source-cold-call = Cold call
source-email = Email
source-import = Import
source-phone = Phone
source-other = Other

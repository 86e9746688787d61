# Cartera: interface texts in English, contacts. The keys are the same as in es/contacts.ftl and
# appear in no other file.

contacts-empty-title = No contacts yet
contacts-empty-text = Contacts are the people at your accounts.
contacts-new = New contact
contact-add = Add contact
contact-related = Company and org chart
contact-no-account = Not linked to an account
contact-reports-to = Reports to
contact-reports = Direct reports
contact-no-reports = Nobody reports to this person.
contact-no-deals = This person takes part in no deal.
contact-no-quotes = No quote is addressed to this person.

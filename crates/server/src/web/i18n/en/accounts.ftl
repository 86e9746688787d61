# Cartera: interface texts in English, accounts. The keys are the same as in es/accounts.ftl and
# appear in no other file.

accounts-new = New account
accounts-empty-title = No accounts yet
accounts-empty-text = Accounts are your customers, suppliers and partners. Create the first one to get started.
account-kind-customer = Customer
account-kind-prospect = Prospect
account-kind-supplier = Supplier
account-kind-competitor = Competitor
account-kind-partner = Partner
account-contacts = Contacts
account-no-contacts = This account has no contacts yet.
account-notes = Notes
account-no-notes = No notes yet. Write down what you talked about on your last visit.
account-timeline = Activity
account-no-timeline = No activity yet.
account-new = New account
account-create = Create account
account-no-deals = This account has no deals yet.
account-no-quotes = This account has no quotes yet.

## The account's 360° page: address, figures, quick actions
account-see-map = see on the map
account-figures = Account figures
account-figure-won-this-year = Won this year
account-figure-open-pipeline = In play
account-figure-open-quotes = Quotes awaiting an answer
account-figure-to-deliver = Orders to deliver
account-figure-to-invoice = Delivered, not invoiced
account-figure-count = { $n ->
    [one] 1 item
   *[other] { $n } items
}

# Cartera: interface texts in English, billing (collections: invoices, notes, payments,
# statements, receivables ageing and the risk light). The keys are the same as in
# es/billing.ftl and appear in no other file.

nav-receivables = Collections
kind-invoice = Invoice
kind-payment = Payment
billing-sections = Collections sections
billing-as-of = As of
billing-balance = Balance
billing-on-account = On account
billing-record-payment = Record payment
billing-invoice-it = Invoice
billing-more = Show more
billing-see-statement = See the statement
billing-card-title = Current account
billing-card-empty = No invoices or payments yet.
billing-latest-invoices = Latest documents
billing-latest-payments = Latest payments
billing-open-count = { $n ->
    [one] 1 open document
   *[other] { $n } open documents
}
billing-open-of = Owes { $open } of { $total }
billing-days-overdue = { $n ->
    [one] 1 day overdue
   *[other] { $n } days overdue
}
billing-due-on = Due { $date }

ageing-current = Current
ageing-days = { $range } days

receivables-title = Receivables
receivables-tab = Ageing
receivables-as-of = Balances as of { $date }
receivables-group = Group by
receivables-by-customer = Customer
receivables-by-rep = Sales rep
receivables-by-territory = Territory
receivables-no-territory = No territory
receivables-all-customers = ← All customers
receivables-by-currency = Currency
receivables-no-rep = No sales rep
receivables-total = Total
receivables-empty-title = Nothing receivable as of { $date }
receivables-empty-text = Once you invoice an order or an accepted quote, what the customer owes shows here by age.
receivables-empty-action = See orders to invoice

statement-title = Statement
statement-period = Movements up to { $date }
statement-period-from = Movements from { $from } to { $date }
statement-from = From
statement-currencies = The account's currencies
statement-movements = Movements
statement-opening = Opening balance
statement-closing = Balance as of { $date }
statement-in-favour = A balance in the customer's favour.
statement-date = Date
statement-movement = Movement
statement-debit = Debit
statement-credit = Credit
statement-no-movements = No movements in this period.
statement-open-items = Open documents
statement-nothing-open = Nothing is left to collect.
statement-ageing = Ageing of the debt

movement-invoice = Invoice
movement-debit_note = Debit note
movement-credit_note = Credit note
movement-payment = Payment
movement-payment_reversal = Payment reversal

invoices-title = Invoices
invoices-show = Show
invoices-show-all = All
invoices-show-open = Open
invoices-show-overdue = Overdue
invoices-all-kinds = All kinds
invoices-empty-title = No documents to show
invoices-empty-text = An invoice is issued from an order or an accepted quote, with the "Invoice" button.
invoice-kind = Kind
invoice-kind-invoice = Invoice
invoice-kind-credit_note = Credit note
invoice-kind-debit_note = Debit note
invoice-number = Number
invoice-issue-date = Issued
invoice-due-date = Due
invoice-open = Open
invoice-overdue = Overdue
invoice-terms = { $n ->
    [0] cash
    [one] 1 day
   *[other] { $n } days
}
invoice-status-unpaid = Unpaid
invoice-status-partially_paid = Partially paid
invoice-status-paid = Paid
invoice-status-credit = Credit
invoice-from-order = From order
invoice-corrects = Corrects
invoice-reason = Reason
invoice-settled-by = Payments applied
invoice-nothing-settled = No payment applied yet.
invoice-notes-issued = Credit and debit notes
invoice-no-notes = No notes were issued on this document.
invoice-fiscal = Tax fields
invoice-fiscal-type = Invoice type
invoice-fiscal-cae = CAE
invoice-fiscal-cae-expires = CAE expiry
invoice-fiscal-cfdi-uuid = CFDI folio
invoice-fiscal-cfdi-method = CFDI payment method
invoice-fiscal-pue = Paid in one go (PUE)
invoice-fiscal-ppd = Paid in parts (PPD)
invoice-error-note-of-note = A note corrects an invoice, not another note.
order-error-invoiced = This order is already invoiced.
order-error-not-invoiced = The order could not be invoiced: check the series, point of sale and payment terms in the billing settings.
quote-error-invoiced = This quote cannot be invoiced: it already has an invoice, it has an order (invoice the order) or it is not accepted.
quote-error-not-invoiced = The quote could not be invoiced: check the series, point of sale and payment terms in the billing settings.

note-new-credit_note = New credit note
note-new-debit_note = New debit note
note-issue-credit_note = Issue the credit note
note-issue-debit_note = Issue the debit note
note-of = On invoice { $number } for { $total }
note-help-credit_note = Credits the customer with what the lines say (prices in { $currency }, before taxes). The credit settles what is open on the invoice; the rest stays on account.
note-help-debit_note = Charges the customer something more: a correction, interest or fees (prices in { $currency }, before taxes).
note-whole = Credit the whole invoice ({ $total })
note-whole-help = Copies the invoice's lines; the lines below are not used.
note-whole-line = Cancellation of invoice { $number }
note-invoice-lines = The lines of invoice { $number }

payments-title = Payments
payments-empty-title = No payments yet
payments-empty-text = Record what a customer pays and apply it to their open invoices.
payment-new = Record payment
payment-customer = Customer
payment-continue = Continue
payment-receipt = Receipt
payment-amount = Amount
payment-currency = Currency
payment-method = Method
payment-method-cash = Cash
payment-method-transfer = Transfer
payment-method-card = Card
payment-method-cheque = Cheque
payment-method-other = Other
payment-received-on = Received on
payment-reference = Reference
payment-notes = Notes
payment-what-it-settles = What it settles
payment-allocations-help = Type how much of the payment to apply to each invoice; what you do not apply stays on the customer's account.
payment-no-open = The customer has no open invoices: the payment stays on account.
payment-apply = Apply
payment-apply-to = Amount to apply to { $number }
payment-refused = The payment was not recorded; see the marked fields.
payment-error-above-open = That is more than is open on this invoice ({ $open }).
payment-error-stale = Someone changed this payment while you were looking at it; check it and try again.
payment-error-reversed = This payment was reversed: it can no longer change.
payment-saved = Payment recorded.
payment-allocated = Balance applied.
payment-reversed-notice = Reversal recorded.
payment-applied = Applied
payment-applied-on = applied on { $date }
payment-what-it-settled = What it settled
payment-nothing-settled = This payment was not applied to any invoice: it is on account.
payment-allocation-active = In force
payment-reversed = Reversed
payment-reversed-on = Reversed on { $date }
payment-reversal-reason = Reason for the reversal
payment-reason = Reason (required)
payment-reverse = Reverse the payment
payment-reverse-confirm = The payment stops counting from today and every invoice it settled is open again. Use it when a cheque bounced or a transfer was returned.
payment-reverse-allocation = Reverse
payment-reverse-allocation-confirm = Invoice { $number } is open again for this amount and the money stays on the customer's account.
payment-reverse-do = Confirm the reversal
payment-apply-spare = Apply balance
payment-apply-spare-help = { $amount } is left on account. We suggest applying it to the oldest invoices; change the amounts if needed.
payment-no-open-to-apply = { $amount } is left on account and the customer has no open invoices in this currency.

risk-green = Up to date
risk-amber = Overdue debt
risk-red = High risk
risk-overdue = Overdue
risk-see-statement = See the statement
risk-why-oldest = { $days ->
    [one] the oldest debt fell due 1 day ago
   *[other] the oldest debt fell due { $days } days ago
}
risk-why-bounced = { $n ->
    [one] 1 bounced cheque in the last 12 months
   *[other] { $n } bounced cheques in the last 12 months
}

field-reason = Reason
field-method = Method
field-received-on = Received on
field-allocations = Applications
field-reversed-on = Reversed on
field-reversal-reason = Reason for the reversal

violation-invalid-payment-amount = Type an amount above zero, such as 1,234.50.
violation-out_of_range-payment-amount = Type an amount above zero, with at most two decimals.
violation-out_of_range-payment-received_on = The payment's date cannot be after today.
violation-too_long-payment-reference = The reference is too long (up to 200 characters).
violation-too_long-payment-notes = The notes are too long (up to 2000 characters).
violation-required-payment-account_id = Choose the customer who pays.
violation-not_found-payment-account_id = We could not find that customer.
violation-required-payment-method = Choose the payment method.
violation-invalid-payment-invoice = This payment cannot settle this invoice: it is another customer's, in another currency, or a credit note.
violation-not_found-payment-invoice = We could not find that invoice.
violation-out_of_range-payment-allocations = What is applied adds up to more than the payment.
violation-required-payment-allocations = Type how much to apply to at least one invoice.
violation-required-payment-reason = Write the reason for the reversal.
violation-too_long-payment-reason = The reason is too long (up to 500 characters).
violation-required-note-reason = Write the reason for the note.
violation-too_long-note-reason = The reason is too long (up to 500 characters).
violation-required-note-lines = Add at least one line, or tick "Credit the whole invoice".
violation-out_of_range-note-lines = The credit note is more than what is left to credit on the invoice.
violation-required-note-description = Say what is credited or charged.

cheque-details = Cheque details
cheque-details-help = Only for payments by cheque; other payment methods ignore them.
cheque-bank = Bank
cheque-number = Cheque number
cheque-drawer = Drawer
cheque-drawer_tax_id = Drawer's CUIT
cheque-issue_date = Issue date
cheque-payment_date = Payment date
violation-required-payment-cheque = Fill in the cheque: bank, number, drawer, their CUIT and the dates.
violation-invalid-payment-cheque = Only a payment by cheque carries a cheque's details.
violation-required-cheque-bank = Write the cheque's bank.
violation-too_long-cheque-bank = The bank's name is too long (up to 120 characters).
violation-required-cheque-number = Write the cheque's number.
violation-too_long-cheque-number = The number is too long (up to 40 characters).
violation-required-cheque-drawer = Write who signed the cheque.
violation-too_long-cheque-drawer = The drawer's name is too long (up to 200 characters).
violation-invalid-cheque-drawer_tax_id = Check the CUIT: 11 digits, the last one being the check digit.
violation-required-cheque-issue_date = Write the issue date.
violation-required-cheque-payment_date = Write the payment date.
violation-out_of_range-cheque-payment_date = The payment date cannot be before the issue date.

cheques-title = Cheques
cheques-shows = Which cheques to show
cheques-show-to_deposit = To deposit today
cheques-show-on_hand = On hand
cheques-show-bounced = Bounced (12 months)
cheques-show-all = All
cheques-count = { $n ->
    [one] 1 cheque
   *[other] { $n } cheques
}
cheques-on-hand = Cheques on hand
cheques-payable-now = Payable now
cheques-week-of = Week of { $date }
cheques-empty-to_deposit = No cheques to deposit today
cheques-empty-on_hand = No cheques on hand
cheques-empty-bounced = No cheque bounced in the last 12 months
cheques-empty-all = No cheques received yet
cheques-empty-text = A cheque enters the wallet when you record a payment by cheque.
cheque-title = Cheque
cheque-see-wallet = See it in the cheque wallet
cheque-state = State
cheque-actions = Actions
cheque-state-on_hand = On hand
cheque-state-deposited = Deposited
cheque-state-credited = Credited
cheque-state-bounced = Bounced
cheque-state-endorsed = Endorsed
cheque-state-returned = Returned
cheque-since = since { $date }
cheque-number-short = No. { $number }
cheque-cuit-short = CUIT { $cuit }
cheque-deposit-by = Deposit by { $date }
cheque-late = The time to deposit it ended on { $date }
cheque-move-deposited = Deposit
cheque-move-credited = Credit
cheque-move-endorsed = Endorse
cheque-move-returned = Return
cheque-move-bounced = Bounce
cheque-reason = Why it bounced
cheque-bank-fee = Bank fee (optional)
cheque-bank-fee-help = If the bank charged a fee, it is charged to the customer with a debit note.
cheque-bounce-confirm = The payment of this cheque ({ $amount }) is taken back: the invoices it settled are open again, and the account's rep and collections are told.
cheque-bounce-do = Confirm the bounce
cheque-endorse-help = The cheque goes to a supplier as payment.
cheque-supplier = Supplier
cheque-endorse-do = Endorse the cheque
cheque-done-deposited = Cheque { $bank } { $number } ({ $amount }) deposited.
cheque-done-credited = Cheque { $bank } { $number } ({ $amount }) credited.
cheque-done-endorsed = Cheque { $bank } { $number } ({ $amount }) endorsed to { $supplier }.
cheque-done-returned = Cheque { $bank } { $number } ({ $amount }) returned.
cheque-done-bounced = Cheque { $bank } { $number } ({ $amount }) bounced.
cheque-done-payment-reversed = Its payment was taken back:
cheque-done-reopened = { $n ->
    [one] This invoice is open again:
   *[other] These invoices are open again:
}
cheque-done-debit-note = The bank fee ({ $total }) was charged to the customer with debit note
cheque-done-told = The account's rep and collections were told.
cheque-error-stale = Someone moved this cheque while you were looking at it; see where it is now and try again.
violation-required-cheque-reason = Write why the bank refused it.
violation-too_long-cheque-reason = The reason is too long (up to 500 characters).
violation-out_of_range-cheque-bank_fee = Write an amount of zero or more, like 1,500.00.
violation-required-cheque-supplier_id = Choose the supplier it is endorsed to.
violation-not_found-cheque-supplier_id = We did not find that supplier.
violation-out_of_range-cheque-on = The day goes from the cheque's last move to today.
violation-conflict-cheque-state = This cheque can no longer move there.

invoice-view-pdf = View PDF
invoice-download-pdf = Download PDF
billing-send-email = Send by email
billing-send-subject = Subject (optional)
billing-send-message = Message (optional)
billing-send-do = Send
invoice-send-help = The PDF goes attached. Without a subject or message, the usual text is used.
invoice-sent-notice = Document sent by email.
invoice-sent-at = Sent by email: { $when }.
statement-pdf = PDF
statement-xlsx = Excel
statement-send-help = The statement on this page goes, with its PDF attached.
statement-sent-notice = Statement sent by email.
violation-required-send-to = Write an address: the customer has no contact with an email.
violation-invalid-send-to = That email address is not valid.
send-error-not-sent = The email could not be sent. Try again in a moment; nothing was changed.
error-invoice-pdf-title = The PDF could not be made
error-invoice-pdf-text = The invoice template has an error. An administrator can fix it in Administration.
error-statement-file-title = The statement could not be made
error-statement-file-text = Try again in a moment.

promise-record = Record a promise to pay
promise-help = The customer said they will pay: collection reminders pause until that day.
promise-day = Pays by
promise-amount = Amount in { $currency } (optional)
promise-note = Note (optional)
promise-save = Record the promise
promise-saved-notice = Promise to pay recorded.
promise-active = Promise to pay by { $date }
violation-required-promise-promised_on = Write the day the customer says they will pay by.
violation-out_of_range-promise-promised_on = A promise is for today or a later day, within a year.
violation-out_of_range-promise-amount = Write an amount above zero, like 50,000.00.
violation-too_long-promise-note = The note is too long.

risk-needs-approval = A manager's approval is needed to send quotes or confirm orders.
risk-approved-until = A manager approved selling to them until { $date }.
risk-approve = Approve
risk-approve-title = Approve selling
risk-approve-help = You approve selling to this customer at "{ $level }": quotes can be sent and orders confirmed for the days you give.
risk-approve-reason = Reason (required)
risk-approve-days = Days it holds
risk-approve-do = Approve
risk-approve-back = Back
risk-nothing-to-approve = Nothing to approve: the customer is in good standing or already has an approval in force.
risk-blocked-send = The quote was not sent: the customer is at "{ $level }" ({ $why }). A manager's approval is needed to send quotes or confirm orders.
risk-blocked-order = The order was not made: the customer is at "{ $level }" ({ $why }). A manager's approval is needed to send quotes or confirm orders.
violation-required-approval-reason = Write why selling to them is fine for now.
violation-too_long-approval-reason = The reason is too long (up to 500 characters).
violation-out_of_range-approval-days = Write a number of days from 1 to 90.

my-day-cheques-to-deposit = { $n ->
    [0] No cheque to deposit today
    [one] 1 cheque to deposit today
   *[other] { $n } cheques to deposit today
}
my-day-collection-calls = { $n ->
    [one] 1 collections call due
   *[other] { $n } collections calls due
}
my-day-collection-calls-where = They are on your agenda for today.
statement-monthly-on = Gets this statement by email on day { $day } of each month.
statement-monthly-off = Does not get the monthly statement.
statement-monthly-last = Last: { $month }, sent to { $to } on { $date }
statement-monthly-last-failed = The one for { $month } could not be sent (no email, or refused)
statement-monthly-stop = Stop sending it
statement-monthly-resume = Send it every month
statement-monthly-on-notice = The customer will get the statement every month.
statement-monthly-off-notice = The customer will no longer get the monthly statement.

## Importing invoices and payments from a file
billing-import = Import
billing-import-title-invoices = Import invoices
billing-import-title-payments = Import payments
billing-import-lead-invoices = Bring the open invoices and notes of your previous system from an Excel (XLSX) or CSV file.
billing-import-lead-payments = Bring the payments received in your previous system from an Excel (XLSX) or CSV file.
billing-import-columns = Columns
billing-import-column = Column
billing-import-meaning = What it holds
billing-import-template = Download the template
billing-import-all-or-nothing = Headers may be in Spanish or English. All or nothing: if any row has a problem, no row is written.
billing-import-file = Choose the file
billing-import-review = Review
billing-import-run = Import
billing-import-would-invoices = { $count ->
    [one] All good: 1 document will be created.
   *[other] All good: { $count } documents will be created.
}
billing-import-would-payments = { $count ->
    [one] All good: 1 payment will be recorded.
   *[other] All good: { $count } payments will be recorded.
}
billing-import-done-invoices = { $count ->
    [one] 1 document was created.
   *[other] { $count } documents were created.
}
billing-import-done-payments = { $count ->
    [one] 1 payment was recorded.
   *[other] { $count } payments were recorded.
}
billing-import-see-invoices = See the invoices
billing-import-see-payments = See the payments
billing-import-refused = { $count ->
    [one] Nothing was imported: there is 1 problem.
   *[other] Nothing was imported: there are { $count } problems.
}
billing-import-at-row = Row { $row }
billing-import-at-header = Header
billing-import-help-invoices-customer = The customer: its exact name or the account's id (or use the tax id column).
billing-import-help-invoices-tax_id = The customer's tax id (CUIT, NIF, RFC).
billing-import-help-invoices-kind = Invoice, credit note or debit note; empty is an invoice.
billing-import-help-invoices-number = The previous system's number; empty: the series numbers it.
billing-import-help-invoices-date = Issue date (required), 22/11/2026 or 2026-11-22.
billing-import-help-invoices-due_date = Due date; empty: the company's payment terms.
billing-import-help-invoices-currency = Currency code (ARS, USD); empty: the company's.
billing-import-help-invoices-net = Net amount (optional, with the tax).
billing-import-help-invoices-tax = Tax (optional, with the net); net plus tax must make the total.
billing-import-help-invoices-total = The document's total (required).
billing-import-help-invoices-description = One line of description.
billing-import-help-payments-customer = The customer: its exact name or the account's id (or use the tax id column).
billing-import-help-payments-tax_id = The customer's tax id (CUIT, NIF, RFC).
billing-import-help-payments-date = The day it was received (required).
billing-import-help-payments-amount = The amount received (required).
billing-import-help-payments-currency = Currency code; empty: the first invoice's, or the company's.
billing-import-help-payments-method = Cash, transfer, card, cheque or other; empty is other.
billing-import-help-payments-reference = The payment's reference (optional).
billing-import-help-payments-invoice = The number of the invoice it pays, or several separated by ; (applied in that order; the rest stays on account).
billing-import-col-customer = customer
billing-import-col-tax_id = tax id
billing-import-col-kind = kind
billing-import-col-number = number
billing-import-col-date = date
billing-import-col-due_date = due date
billing-import-col-currency = currency
billing-import-col-net = net
billing-import-col-tax = tax
billing-import-col-total = total
billing-import-col-description = description
billing-import-col-amount = amount
billing-import-col-method = method
billing-import-col-reference = reference
billing-import-col-invoice = invoice
billing-import-problem-missing-column = the file has no such column.
billing-import-problem-repeated-column = two columns of the file mean the same.
billing-import-problem-required = may not be empty.
billing-import-problem-not-a-date = “{ $value }” is not a date; write it as 22/11/2026.
billing-import-problem-not-a-number = “{ $value }” is not a number.
billing-import-problem-not-cents = “{ $value }” has more than two decimals.
billing-import-problem-not-positive = “{ $value }” must be more than zero.
billing-import-problem-negative = “{ $value }” may not be negative.
billing-import-problem-unknown-kind = “{ $value }” is not a kind of document: invoice, credit note or debit note.
billing-import-problem-unknown-method = “{ $value }” is not a payment method: cash, transfer, card, cheque or other.
billing-import-problem-unknown-currency = “{ $value }” is not a currency code such as ARS.
billing-import-problem-unknown-customer = no customer is “{ $value }”.
billing-import-problem-ambiguous-customer = { $count } customers are “{ $value }”; give the tax id or the account id.
billing-import-problem-sum = net { $net } plus tax { $tax } is not the total { $total }.
billing-import-problem-net-without-tax = give both net and tax, or neither.
billing-import-problem-repeats-row = row { $row } has the same number.
billing-import-problem-number-taken = { $number } is already a document's number.
billing-import-problem-due-before-issue = the due date is before the issue date.
billing-import-problem-too-long = at most { $max } characters.
billing-import-problem-unknown-invoice = no invoice is numbered { $number }.
billing-import-problem-other-customers-invoice = { $number } is another customer's invoice.
billing-import-problem-nothing-open = nothing is left open on { $number }.
billing-import-rule-required = a required value is missing.
billing-import-rule-invalid = the value is not valid.
billing-import-rule-too_short = the value is too short.
billing-import-rule-too_long = the value is too long.
billing-import-rule-too_many = there are too many values.
billing-import-rule-out_of_range = the value is out of range (for example a future date, or more than is open).
billing-import-rule-unknown_field = the value is not recognised.
billing-import-rule-read_only = the value cannot be changed.
billing-import-rule-not_found = what it names was not found.
billing-import-rule-duplicate = the value already exists.
billing-import-rule-conflict = the value conflicts with another.
risk-why-credit = { $used } % of the credit limit used
risk-credit-used = Credit used
risk-credit-of = { $used } % of { $limit }

## Administration → Billing and collections
billing-admin-sections = Parts of the billing settings
billing-admin-defaults = Numbering, terms and risk
billing-admin-interest = Late interest
billing-admin-dunning = Dunning reminders
billing-admin-template = Invoice template
billing-admin-saved-defaults = Numbering, terms and the risk rule saved.
billing-admin-saved-interest = Late interest rates saved.
billing-admin-saved-dunning = Dunning reminders saved.
billing-admin-saved-template = Invoice template saved.
billing-admin-series = Series letter
billing-admin-series-help = One to three capital letters or digits, such as A or B. New invoices are numbered in it.
billing-admin-point-of-sale = Point of sale
billing-admin-terms = Payment terms (days)
billing-admin-terms-help = Days from issue to due date, unless the invoice or the order says otherwise.
billing-admin-buckets = Ageing buckets (days)
billing-admin-buckets-help = Limits separated by commas, smallest first, such as 30, 60, 90.
billing-admin-amber = Customer in amber (something overdue)
billing-admin-red = Customer in red (over 30 days, or a bounced cheque)
billing-admin-action-warn = Only warn
billing-admin-action-approval = Ask for a manager's approval
billing-admin-statements = Monthly statement
billing-admin-statements-monthly = Email each month the statement to every customer that owes
billing-admin-statements-day = Day of the month it is sent
billing-admin-statements-day-help = From 1 to 28. Each customer can be taken off from their statement page.
billing-admin-credit-field = Credit limit
billing-admin-credit-none = No credit limit
billing-admin-credit-help = The account's money field that holds its limit; the risk light reads the balance against it.
billing-admin-credit-no-fields = To use a credit limit, make a money field on accounts:
billing-admin-interest-help = Simple daily interest on each overdue balance. The rate is monthly (3 is 3 % a month) and applies by periods that do not overlap; a period with no end applies from its date on.
billing-admin-interest-country = Statutory default
billing-admin-interest-country-none = None
billing-admin-interest-country-AR = Argentina (none: write the agreed rate)
billing-admin-interest-country-ES = Spain (ECB + 8 points)
billing-admin-interest-country-MX = Mexico (6 % a year)
billing-admin-rate-from = From
billing-admin-rate-to = To (blank: no end)
billing-admin-rate-rate = Monthly rate %
billing-admin-rate-remove-row = Remove the period from { $from }
billing-admin-rate-new-from = From (new period)
billing-admin-rate-new-to = To (new period)
billing-admin-rate-new-rate = Monthly rate % (new period)
billing-admin-dunning-help = Each level runs when an invoice is that many days overdue: it emails the customer, puts a call on their collector's agenda, or both. A level is never repeated for the same invoice, and a promise to pay pauses it.
billing-admin-dunning-enabled = Send dunning reminders every day
billing-admin-dunning-blanks = In the subject and text you can use { "{" }customer{ "}" } (the customer), { "{" }invoice{ "}" } (the number), { "{" }amount{ "}" } (the balance), { "{" }due_date{ "}" } (the due date) and { "{" }days{ "}" } (days overdue).
billing-admin-level = Level { $n }: at { $days } days
billing-admin-level-new = Add a level
billing-admin-level-days = Days overdue
billing-admin-level-does = What it does
billing-admin-level-email = Email the customer
billing-admin-level-task = Collector's call
billing-admin-level-subject-es = Subject in Spanish
billing-admin-level-body-es = Text in Spanish
billing-admin-level-subject-en = Subject in English
billing-admin-level-body-en = Text in English
billing-admin-level-remove = Remove this level
billing-admin-template-help = A typst document that prints invoices, credit notes and debit notes, in each customer's language. It is tried with a sample invoice before it is saved. The logo is the quotes' one:
billing-admin-template-logo = change the logo
violation-invalid-billing-series = One to three capital letters or digits, such as A.
violation-invalid-billing-point_of_sale = Write a whole number from 1 to 99999.
violation-out_of_range-billing-point_of_sale = Write a whole number from 1 to 99999.
violation-invalid-billing-payment_terms_days = Write a number of days, such as 30.
violation-out_of_range-billing-payment_terms_days = Terms can be up to 3,650 days.
violation-invalid-billing-buckets = Write 1 to 12 limits in days, above zero and increasing, such as 30, 60, 90.
violation-invalid-billing-day = Write a day from 1 to 28.
violation-out_of_range-billing-day = Write a day from 1 to 28.
violation-invalid-billing-credit_limit_field = Pick a money field of accounts.
violation-required-billing-rate-from = Write the date the rate applies from.
violation-conflict-billing-rate-from = This period overlaps another: each day has one rate.
violation-invalid-billing-rate-to = Write a valid date, or leave it blank.
violation-out_of_range-billing-rate-to = The end cannot be before the start.
violation-invalid-billing-rate-rate = Write a monthly percentage, such as 3 or 2.5.
violation-out_of_range-billing-rate-rate = Write a monthly percentage from 0 to 100, with up to 6 decimals.
violation-too_many-billing-rates = There are too many periods.
violation-out_of_range-billing-level-days_overdue = Write the days overdue, from 1 to 365.
violation-invalid-billing-level-days_overdue = Each level comes after the one before: write more days than the level above.
violation-required-billing-level-level = A level sends an email, makes a call, or both: tick at least one.
violation-required-billing-level-subject_es = A level that emails needs its subject and text in both languages.
violation-required-billing-level-body_es = A level that emails needs its subject and text in both languages.
violation-required-billing-level-subject_en = A level that emails needs its subject and text in both languages.
violation-required-billing-level-body_en = A level that emails needs its subject and text in both languages.
violation-invalid-billing-level-subject_es = Check the subject: one line, using only the blanks listed below.
violation-invalid-billing-level-subject_en = Check the subject: one line, using only the blanks listed below.
violation-invalid-billing-level-body_es = Check the text: it uses only the blanks listed below, in braces.
violation-invalid-billing-level-body_en = Check the text: it uses only the blanks listed below, in braces.
violation-required-billing-levels = Add at least one level, or untick "Send dunning reminders".
violation-too_many-billing-levels = There are too many levels (up to 10).

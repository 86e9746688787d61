# Cartera: interface texts in English. The keys are the same as in es.ftl.

## Shell
skip-to-content = Skip to content
nav-label = Main navigation
nav-my-day = My day
nav-accounts = Accounts
nav-contacts = Contacts
nav-leads = Leads
user-menu = User menu
logout = Log out
crumbs-label = Breadcrumb
see-all = See all
cancel = Cancel

## Search
search-label = Search Cartera
search-placeholder = Search accounts, contacts, leads…
search-shortcut = Shortcut: Ctrl K or /
search-results = Search results
search-title = Search
search-submit = Search
search-none = Nothing matches “{ $q }”.

## Login
login-title = Log in
login-subtitle = Use your email and password.
login-email = Email
login-password = Password
login-totp = Verification code
login-totp-help = The 6 digits your authenticator app shows.
login-submit = Log in
login-foot = Forgot your password? Ask an administrator to reset it.
login-wrong = The email or the password is not right.
login-wrong-code = The code is not right. Each code works only once.
login-totp-needed = This account has a second factor: enter the code from your app.
login-missing = Enter your email and your password.
login-locked = Too many attempts. Try again in { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
  }.

## Errors
error-go-login = Go to the login page
error-go-home = Back to My day
error-internal-text = Something went wrong on our side. Try again in a moment.
error-not-found-title = Not found
error-not-found-text = It does not exist, it is in the trash, or you have no access to this record.
error-forbidden-title = Not allowed
error-forbidden-text = Your role does not allow this. Ask an administrator.
error-bad-request-title = Bad request
error-bad-request-text = The address has data we do not understand. Go back to the list and try again.
error-internal-title = Internal error
error-internal-text-long = Something went wrong on our side.
error-csrf-title = The page expired
error-csrf-text = Reload the page and try again; that way we know the request comes from you.

## My day
greeting-morning = Good morning, { $name }
greeting-afternoon = Good afternoon, { $name }
greeting-evening = Good evening, { $name }
today-date = { $weekday }, { $month } { $day }
weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
my-day-welcome-title = Welcome to Cartera
my-day-welcome-text = There are no accounts yet. Start with your first customer, then add their contacts and notes.
my-day-first-account = Create your first account
my-day-my-accounts = My accounts
my-day-no-own-accounts = No accounts are in your name yet.
my-day-my-leads = My leads
my-day-no-leads = No leads are assigned to you.
my-day-latest = Recent changes
my-day-no-accounts = Nothing has changed yet.
my-day-search-tip = Tip: press Ctrl K or / to search from any page.

## Lists
list-search = Search this list
list-filter-all = All
list-tag = Tag
list-sort = Sort by
list-apply = Apply
sort-updated = Latest changes
sort-name = Name
sort-created = Newest
pager-label = Pages
pager-first = First page
pager-next = Next page
list-no-match-title = Nothing matches
list-no-match-text = Try another search or clear the filters.
list-clear = Clear filters
accounts-new = New account
accounts-empty-title = No accounts yet
accounts-empty-text = Accounts are your customers, suppliers and partners. Create the first one to get started.
contacts-empty-title = No contacts yet
contacts-empty-text = Contacts are the people at your accounts.
leads-empty-title = No leads yet
leads-empty-text = Leads are interested people who are not customers yet.
col-name = Name
col-kind = Type
col-city = City
col-owner = Owner
col-updated = Updated
col-job-title = Job title
col-email = Email
col-phone = Phone
col-company = Company
col-status = Status

## Kinds and states
kind-account = Account
kind-contact = Contact
kind-lead = Lead
kind-note = Note
kind-user = User
account-kind-customer = Customer
account-kind-prospect = Prospect
account-kind-supplier = Supplier
account-kind-competitor = Competitor
account-kind-partner = Partner
lead-status-new = New
lead-status-contacted = Contacted
lead-status-qualified = Qualified
lead-status-unqualified = Unqualified
lead-status-converted = Converted

## Account page
fact-tax-id = Tax ID
fact-city = City
fact-owner = Owner
fact-nobody = Unassigned
fact-email = Email
fact-phone = Phone
fact-updated = Updated
account-contacts = Contacts
account-no-contacts = This account has no contacts yet.
account-notes = Notes
account-no-notes = No notes yet. Write down what you talked about on your last visit.
account-timeline = Activity
account-no-timeline = No activity yet.
note-label = New note
note-placeholder = Write a note…
note-add = Add note
note-empty = The note is empty.
tl-someone = Someone
tl-note = { $who } wrote a note
tl-created = { $who } created the record
tl-updated = { $who } made changes
tl-deleted = { $who } moved it to the trash
tl-restored = { $who } restored it from the trash
tl-purged = { $who } deleted it
tl-merged = { $who } merged another record into this one
tl-merged_into = { $who } merged it into another record
tl-converted = { $who } converted the lead
tl-exported = { $who } exported data
tl-login_succeeded = { $who } logged in
tl-login_failed = A failed login attempt
tl-logged_out = { $who } logged out
tl-password_changed = { $who } changed the password
tl-shared = { $who } shared it
tl-unshared = { $who } stopped sharing it

## Account form
account-new = New account
account-create = Create account
field-name = Name
field-kind = Type
field-legal-name = Legal name
field-country = Country
field-tax-id = Tax ID
field-tax-id-help = CUIT in Argentina, RFC in Mexico, NIF or NIE in Spain.
field-city = City
field-email = Email
field-phone = Phone
field-website = Website
field-tags = Tags
field-tags-help = Separated by commas, for example: VIP, wholesale
country-AR = Argentina
country-MX = Mexico
country-ES = Spain
duplicate-title = This account may already exist
duplicate-text = It looks like these accounts. Open them to check, or create it anyway if it is a different one.
duplicate-hidden = It looks like an existing account that is not assigned to you. Check with your manager before creating it.
duplicate-create-anyway = Create anyway
violation-required = This field is required.
violation-required-name = Enter the account's name.
violation-invalid = This value is not valid.
violation-invalid-tax_id = The tax ID is not valid for the chosen country.
violation-invalid-email = Enter a valid email, such as name@company.com.
violation-invalid-website = Enter a valid web address.
violation-invalid-phone = Enter a valid phone number.
violation-too_short = It is too short.
violation-too_long = It is too long.
violation-too_many = There are too many values.
violation-out_of_range = The value is out of the allowed range.
violation-unknown_field = This field does not exist.
violation-read_only = This field cannot be changed.
violation-not_found = We could not find what this field points to.
violation-duplicate = Another record already has this value.
violation-conflict = This value conflicts with other data.

# Cartera: interface texts in English, deals. The keys are the same as in es/deals.ftl and
# appear in no other file.

deals-board-eyebrow = Sales pipeline
deals-board-hint = Drag a card to another stage, or pick the stage in its menu.
deals-pipeline = Pipeline
deals-show = Show
deals-as-list = See as a list
deals-as-board = See as a board
deals-no-pipeline = There is no pipeline yet.
deals-column-empty = No deals
deals-move-to = Move to stage
deals-move = Move
deals-lost-reason-prompt = Why was the deal lost?
deal-lost-needs-reason = To mark it lost, give the reason.
deals-list-title = All deals
deals-all-statuses = All statuses
deals-col-deal = Deal
deals-col-stage = Stage
deals-col-amount = Amount
deals-col-close = Expected close
deals-empty-title = No deals yet
deals-empty-text = The deals you create or convert will show here.
deal-status-open = Open
deal-status-won = Won
deal-status-lost = Lost
deal-probability = Probability
deal-lost-reason = Lost reason
deal-lost-reason-placeholder = Reason (when lost)
deal-lines = Products and services
deal-line-item = Item
deal-line-qty = Qty
deal-line-price = Price
deal-line-discount = Disc.
deal-line-tax = Tax
deal-line-net = Net
deal-net = Net
deal-taxes = Taxes
deal-total = Total
deal-no-lines = No lines: the amount was given by hand.
deal-competitors = Competitors
deal-no-competitors = No competitor recorded.
deal-threat-low = Low threat
deal-threat-medium = Medium threat
deal-threat-high = High threat
deal-stage-history = Stage history
deal-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}
forecast-month = Month
forecast-open = Open
forecast-weighted = Weighted
forecast-won = Won
forecast-deals = { $n ->
    [one] 1 deal
   *[other] { $n } deals
}
forecast-empty = Nothing expected in these months.
forecast-from = From
forecast-to = To
forecast-period = Quota period
forecast-explain = Weighted = amount × probability of open deals, by expected close month; won, by the month they closed. Each currency on its own.
forecast-by-month = By month
forecast-by-owner = By rep
forecast-by-team = By team
forecast-team = Team
deal-no-contacts = No contacts on this deal.
deal-make-quote = Make quote
deal-no-quotes = No quotes for this deal yet.
forecast-manage-quotas = Quotas of the period

## The deal form (new and edit)
deal-new = New deal
deal-new-title = New deal
deal-edit-title = Edit deal
deal-form-general = Deal details
deal-form-name = Deal name
deal-form-account = Customer
deal-form-stage = Pipeline and stage
deal-form-amount-help = With lines, the amount is their net total.
deal-form-amount-from-lines = Computed from the lines
deal-form-probability-placeholder = The stage's
deal-form-campaign = Campaign
deal-form-description = Description
deal-form-lines-help = Leave a line empty to remove it.
deal-form-add-line = Add a line
deal-form-competitor = Competitor
deal-form-threat = Threat
deal-form-competitor-notes = What they offer (price, terms, strengths)
deal-form-add-competitor = Add a competitor
deal-form-create = Create deal
deal-form-fix = Please check the marked fields.
deal-form-stale = Someone else changed this deal while you were editing it. Check the details and save again.
deal-form-bad-number = Type a number, for example 1,234.50.
deal-form-bad-percent = Type a percentage between 0 and 100.
deal-form-account-no-contacts = This customer has no contacts yet.
deal-form-pick-account-first = Choose the customer to see their contacts.
deal-edit = Edit
deals-owner-everyone = Whole team
deals-owner-me = Mine
deals-board-open = { $n ->
    [one] 1 open deal
   *[other] { $n } open deals
}
deals-board-weighted = weighted:
forecast-by-stage = By month and stage, in { $currency }
forecast-range-total = Total of the period
forecast-chart-explain = Each bar is a month: the weighted open deals plus the won ones, by stage, added up in { $currency } at the month's exchange rate (Settings).
forecast-unconverted = No exchange rate for { $currencies }: those amounts are left out of the totals in { $currency }. An administrator adds one in Settings.
forecast-unconverted-short = no exchange rate for { $currencies }
forecast-legend = Stages
forecast-chart-table = The chart's figures
forecast-total = Total
forecast-stage-gone = Deleted stage

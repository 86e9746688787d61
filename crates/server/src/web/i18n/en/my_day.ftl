# Cartera: interface texts in English, my_day. The keys are the same as in es/my_day.ftl and
# appear in no other file.

greeting-morning = Good morning, { $name }
greeting-afternoon = Good afternoon, { $name }
greeting-evening = Good evening, { $name }
today-date = { $weekday }, { $month } { $day }
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
my-day-agenda = For today
my-day-no-agenda = Nothing due today or overdue.
my-day-due-today = Due today
my-day-overdue = Overdue since { $date }
my-day-notifications = Unread notifications

## The sales parts of My day
my-day-closing = Deals closing this week
my-day-no-closing = None of your deals closes this week.
my-day-awaiting = Quotes awaiting an answer
my-day-no-awaiting = You have no sent quote without an answer.
my-day-expires = Expires on { $date }
my-day-quota = Your quota
my-day-quota-line = { $won } of { $target }
my-day-team = Your team
my-day-team-pipeline = { $n ->
    [one] 1 open deal in the team
   *[other] { $n } open deals in the team
}
my-day-team-idle = No activity logged this week
my-day-team-all-active = Everyone in the team logged activity this week.
my-day-team-overdue = The team's overdue tasks
my-day-team-no-overdue = The team has no overdue task.

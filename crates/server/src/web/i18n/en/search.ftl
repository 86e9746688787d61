# Cartera: interface texts in English, search. The keys are the same as in es/search.ftl and
# appear in no other file.

search-label = Search Cartera
search-placeholder = Search accounts, contacts, leads…
search-shortcut = Shortcut: Ctrl K or /
search-results = Search results
search-title = Search
search-submit = Search
search-none = Nothing matches “{ $q }”.

## Record pickers in forms
picker-placeholder = Type to search…
picker-none = Nothing matches “{ $q }”.

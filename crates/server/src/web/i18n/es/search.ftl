# Cartera: textos de la interfaz en español, search. Las claves son las mismas que en en/search.ftl
# y no se repiten en ningún otro archivo.

search-label = Buscar en Cartera
search-placeholder = Buscar cuentas, contactos, prospectos…
search-shortcut = Atajo: Ctrl K o /
search-results = Resultados de la búsqueda
search-title = Buscar
search-submit = Buscar
search-none = Nada coincide con «{ $q }».

## Record pickers in forms
picker-placeholder = Escribe para buscar…
picker-none = Nada coincide con «{ $q }».

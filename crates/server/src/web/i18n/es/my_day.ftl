# Cartera: textos de la interfaz en español, my_day. Las claves son las mismas que en en/my_day.ftl
# y no se repiten en ningún otro archivo.

greeting-morning = Buenos días, { $name }
greeting-afternoon = Buenas tardes, { $name }
greeting-evening = Buenas noches, { $name }
today-date = { $weekday } { $day } de { $month }
my-day-welcome-title = Te damos la bienvenida a Cartera
my-day-welcome-text = Todavía no hay cuentas. Empieza por tu primer cliente: luego sumas sus contactos y notas.
my-day-first-account = Crear tu primera cuenta
my-day-my-accounts = Mis cuentas
my-day-no-own-accounts = Aún no tienes cuentas a tu nombre.
my-day-my-leads = Mis prospectos
my-day-no-leads = No tienes prospectos asignados.
my-day-latest = Cambios recientes
my-day-no-accounts = Nada cambió todavía.
my-day-search-tip = Consejo: pulsa Ctrl K o / para buscar desde cualquier página.
my-day-agenda = Para hoy
my-day-no-agenda = Nada pendiente para hoy ni atrasado.
my-day-due-today = Vence hoy
my-day-overdue = Atrasada desde el { $date }
my-day-notifications = Avisos sin leer

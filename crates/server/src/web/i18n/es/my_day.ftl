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

## The sales parts of My day
my-day-closing = Oportunidades que cierran esta semana
my-day-no-closing = Ninguna oportunidad tuya cierra esta semana.
my-day-awaiting = Presupuestos esperando respuesta
my-day-no-awaiting = No tienes presupuestos enviados sin respuesta.
my-day-expires = Vence el { $date }
my-day-quota = Tu cuota
my-day-quota-line = { $won } de { $target }
my-day-team = Tu equipo
my-day-team-pipeline = { $n ->
    [one] 1 oportunidad abierta en el equipo
   *[other] { $n } oportunidades abiertas en el equipo
}
my-day-team-idle = Sin actividad registrada esta semana
my-day-team-all-active = Todo el equipo registró actividad esta semana.
my-day-team-overdue = Tareas atrasadas del equipo
my-day-team-no-overdue = El equipo no tiene tareas atrasadas.

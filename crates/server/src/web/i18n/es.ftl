# Cartera: textos de la interfaz en español. Las claves son las mismas que en en.ftl.

## Estructura
skip-to-content = Saltar al contenido
nav-label = Navegación principal
nav-my-day = Mi día
nav-accounts = Cuentas
nav-contacts = Contactos
nav-leads = Prospectos
user-menu = Menú de usuario
logout = Cerrar sesión
crumbs-label = Ruta de navegación
see-all = Ver todo
cancel = Cancelar

## Búsqueda
search-label = Buscar en Cartera
search-placeholder = Buscar cuentas, contactos, prospectos…
search-shortcut = Atajo: Ctrl K o /
search-results = Resultados de la búsqueda
search-title = Buscar
search-submit = Buscar
search-none = Nada coincide con «{ $q }».

## Acceso
login-title = Iniciar sesión
login-subtitle = Entra con tu correo y tu contraseña.
login-email = Correo electrónico
login-password = Contraseña
login-totp = Código de verificación
login-totp-help = Los 6 dígitos que muestra tu aplicación de autenticación.
login-submit = Entrar
login-foot = ¿Olvidaste la contraseña? Pide a un administrador que la restablezca.
login-wrong = El correo o la contraseña no son correctos.
login-wrong-code = El código no es correcto. Cada código sirve una sola vez.
login-totp-needed = Esta cuenta tiene un segundo factor: escribe el código de tu aplicación.
login-missing = Escribe tu correo y tu contraseña.
login-locked = Demasiados intentos. Vuelve a intentarlo en { $seconds ->
    [one] { $seconds } segundo
   *[other] { $seconds } segundos
  }.

## Errores
error-go-login = Ir al inicio de sesión
error-go-home = Volver a Mi día
error-internal-text = Algo salió mal de nuestro lado. Inténtalo de nuevo en un momento.
error-not-found-title = No encontrado
error-not-found-text = No existe, está en la papelera o no tienes acceso a este registro.
error-forbidden-title = Sin permiso
error-forbidden-text = Tu rol no permite esta acción. Pídeselo a un administrador.
error-bad-request-title = Solicitud no válida
error-bad-request-text = La dirección tiene datos que no entendemos. Vuelve a la lista y prueba otra vez.
error-internal-title = Error interno
error-internal-text-long = Algo salió mal de nuestro lado.
error-csrf-title = La página caducó
error-csrf-text = Recarga la página e inténtalo de nuevo; así sabemos que la petición viene de ti.

## Mi día
greeting-morning = Buenos días, { $name }
greeting-afternoon = Buenas tardes, { $name }
greeting-evening = Buenas noches, { $name }
today-date = { $weekday } { $day } de { $month }
weekday-1 = lunes
weekday-2 = martes
weekday-3 = miércoles
weekday-4 = jueves
weekday-5 = viernes
weekday-6 = sábado
weekday-7 = domingo
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
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

## Listas
list-search = Buscar en la lista
list-filter-all = Todos
list-tag = Etiqueta
list-sort = Ordenar por
list-apply = Aplicar
sort-updated = Últimos cambios
sort-name = Nombre
sort-created = Más nuevos
pager-label = Páginas
pager-first = Primera página
pager-next = Siguiente página
list-no-match-title = Nada coincide
list-no-match-text = Prueba con otra búsqueda o quita los filtros.
list-clear = Quitar filtros
accounts-new = Nueva cuenta
accounts-empty-title = Aún no hay cuentas
accounts-empty-text = Las cuentas son tus clientes, proveedores y socios. Crea la primera para empezar.
contacts-empty-title = Aún no hay contactos
contacts-empty-text = Los contactos son las personas de tus cuentas.
leads-empty-title = Aún no hay prospectos
leads-empty-text = Los prospectos son interesados que todavía no son clientes.
col-name = Nombre
col-kind = Tipo
col-city = Ciudad
col-owner = Responsable
col-updated = Actualizado
col-job-title = Cargo
col-email = Correo
col-phone = Teléfono
col-company = Empresa
col-status = Estado

## Tipos y estados
kind-account = Cuenta
kind-contact = Contacto
kind-lead = Prospecto
kind-note = Nota
kind-user = Usuario
account-kind-customer = Cliente
account-kind-prospect = Potencial
account-kind-supplier = Proveedor
account-kind-competitor = Competidor
account-kind-partner = Socio
lead-status-new = Nuevo
lead-status-contacted = Contactado
lead-status-qualified = Calificado
lead-status-unqualified = Descartado
lead-status-converted = Convertido

## Ficha de cuenta
fact-tax-id = CUIT / RFC / NIF
fact-city = Ciudad
fact-owner = Responsable
fact-nobody = Sin asignar
fact-email = Correo
fact-phone = Teléfono
fact-updated = Actualizado
account-contacts = Contactos
account-no-contacts = Esta cuenta aún no tiene contactos.
account-notes = Notas
account-no-notes = Sin notas todavía. Anota lo que hablaste en tu última visita.
account-timeline = Actividad
account-no-timeline = Sin actividad todavía.
note-label = Nueva nota
note-placeholder = Escribe una nota…
note-add = Agregar nota
note-empty = La nota está vacía.
tl-someone = Alguien
tl-note = { $who } escribió una nota
tl-created = { $who } creó el registro
tl-updated = { $who } hizo cambios
tl-deleted = { $who } lo envió a la papelera
tl-restored = { $who } lo recuperó de la papelera
tl-purged = { $who } lo eliminó
tl-merged = { $who } unió otro registro a este
tl-merged_into = { $who } lo unió a otro registro
tl-converted = { $who } convirtió el prospecto
tl-exported = { $who } exportó datos
tl-login_succeeded = { $who } inició sesión
tl-login_failed = Intento de acceso fallido
tl-logged_out = { $who } cerró sesión
tl-password_changed = { $who } cambió la contraseña
tl-shared = { $who } lo compartió
tl-unshared = { $who } dejó de compartirlo

## Formulario de cuenta
account-new = Nueva cuenta
account-create = Crear cuenta
field-name = Nombre
field-kind = Tipo
field-legal-name = Razón social
field-country = País
field-tax-id = Identificación fiscal
field-tax-id-help = CUIT en Argentina, RFC en México, NIF o NIE en España.
field-city = Ciudad
field-email = Correo electrónico
field-phone = Teléfono
field-website = Sitio web
field-tags = Etiquetas
field-tags-help = Separadas por comas, por ejemplo: VIP, mayorista
country-AR = Argentina
country-MX = México
country-ES = España
duplicate-title = Esta cuenta podría existir ya
duplicate-text = Se parece a estas cuentas. Ábrelas para revisar, o créala igualmente si es otra.
duplicate-hidden = Se parece a una cuenta que ya existe y que no tienes asignada. Consulta con tu responsable antes de crearla.
duplicate-create-anyway = Crear igualmente
violation-required = Este campo es obligatorio.
violation-required-name = Escribe el nombre de la cuenta.
violation-invalid = Este valor no es válido.
violation-invalid-tax_id = La identificación fiscal no es válida para el país elegido.
violation-invalid-email = Escribe un correo válido, como nombre@empresa.com.
violation-invalid-website = Escribe una dirección web válida.
violation-invalid-phone = Escribe un teléfono válido.
violation-too_short = Es demasiado corto.
violation-too_long = Es demasiado largo.
violation-too_many = Hay demasiados valores.
violation-out_of_range = El valor está fuera del rango permitido.
violation-unknown_field = Este campo no existe.
violation-read_only = Este campo no se puede cambiar.
violation-not_found = No encontramos lo que indica este campo.
violation-duplicate = Ya existe otro registro con este valor.
violation-conflict = Este valor choca con otro dato.

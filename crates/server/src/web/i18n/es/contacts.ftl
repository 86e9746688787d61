# Cartera: textos de la interfaz en español, contacts. Las claves son las mismas que en en/contacts.ftl
# y no se repiten en ningún otro archivo.

contacts-empty-title = Aún no hay contactos
contacts-empty-text = Los contactos son las personas de tus cuentas.
contacts-new = Nuevo contacto
contact-add = Agregar contacto
contact-related = Empresa y organigrama
contact-no-account = Sin cuenta asociada
contact-reports-to = Reporta a
contact-reports = Le reportan
contact-no-reports = Nadie le reporta.
contact-no-deals = Esta persona no participa en ninguna oportunidad.
contact-no-quotes = No hay presupuestos dirigidos a esta persona.

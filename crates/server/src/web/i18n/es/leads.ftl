# Cartera: textos de la interfaz en español, leads. Las claves son las mismas que en en/leads.ftl
# y no se repiten en ningún otro archivo.

leads-empty-title = Aún no hay prospectos
leads-empty-text = Los prospectos son interesados que todavía no son clientes.
lead-status-new = Nuevo
lead-status-contacted = Contactado
lead-status-qualified = Calificado
lead-status-unqualified = Descartado
lead-status-converted = Convertido
leads-new = Nuevo prospecto
lead-conversion = Conversión
lead-converted-on = Convertido el { $when }.
lead-not-converted = Cuando el prospecto esté listo para comprar, conviértelo en una cuenta y un contacto.
lead-convert = Convertir
convert-title = Convertir a { $name }
convert-intro = El prospecto pasa a ser un contacto de una cuenta; sus notas e historial quedan en el prospecto.
convert-account = Cuenta
convert-new-account = Crear una cuenta nueva
convert-account-name = Nombre de la cuenta nueva
convert-existing-found = O usar una cuenta existente con un nombre parecido:
convert-use-existing = Usar { $name }
convert-contact = Contacto
convert-contact-text = Se crea un contacto nuevo a partir del prospecto
convert-duplicate-text = Ya existe una cuenta o un contacto parecido. Elige arriba una cuenta existente, o crea igualmente.

## Where leads and deals come from (the known channels; other sources show as typed)
source-web-form = Formulario web
source-referral = Recomendación
source-whatsapp = WhatsApp
source-instagram = Instagram
source-facebook = Facebook
source-fair = Feria o exposición
source-mercado-libre = Mercado Libre
source-google-ads = Google Ads
source-cold-call = Llamada en frío
source-email = Correo electrónico
source-import = Importación
source-phone = Teléfono
source-other = Otro

# Cartera: textos de la interfaz en español, accounts. Las claves son las mismas que en en/accounts.ftl
# y no se repiten en ningún otro archivo.

accounts-new = Nueva cuenta
accounts-empty-title = Aún no hay cuentas
accounts-empty-text = Las cuentas son tus clientes, proveedores y socios. Crea la primera para empezar.
account-kind-customer = Cliente
account-kind-prospect = Potencial
account-kind-supplier = Proveedor
account-kind-competitor = Competidor
account-kind-partner = Socio
account-contacts = Contactos
account-no-contacts = Esta cuenta aún no tiene contactos.
account-notes = Notas
account-no-notes = Sin notas todavía. Anota lo que hablaste en tu última visita.
account-timeline = Actividad
account-no-timeline = Sin actividad todavía.
account-new = Nueva cuenta
account-create = Crear cuenta
account-no-deals = Esta cuenta aún no tiene oportunidades.
account-no-quotes = Esta cuenta todavía no tiene presupuestos.

## The account's 360° page: address, figures, quick actions
account-see-map = ver en el mapa
account-figures = Cifras de la cuenta
account-figure-won-this-year = Ganado este año
account-figure-open-pipeline = En negociación
account-figure-open-quotes = Presupuestos esperando respuesta
account-figure-to-deliver = Pedidos por entregar
account-figure-to-invoice = Entregado sin facturar
account-figure-count = { $n ->
    [one] 1 registro
   *[other] { $n } registros
}

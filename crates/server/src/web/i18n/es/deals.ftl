# Cartera: textos de la interfaz en español, deals. Las claves son las mismas que en en/deals.ftl
# y no se repiten en ningún otro archivo.

deals-board-eyebrow = Embudo de ventas
deals-board-hint = Arrastra una tarjeta a otra etapa, o elige la etapa en su selector.
deals-pipeline = Embudo
deals-show = Ver
deals-as-list = Ver como lista
deals-as-board = Ver como tablero
deals-no-pipeline = Todavía no hay ningún embudo.
deals-column-empty = Sin oportunidades
deals-move-to = Mover a la etapa
deals-move = Mover
deals-lost-reason-prompt = ¿Por qué se perdió la oportunidad?
deal-lost-needs-reason = Para marcarla como perdida, indica el motivo.
deals-list-title = Todas las oportunidades
deals-all-statuses = Todos los estados
deals-col-deal = Oportunidad
deals-col-stage = Etapa
deals-col-amount = Importe
deals-col-close = Cierre previsto
deals-empty-title = Aún no hay oportunidades
deals-empty-text = Las oportunidades que crees o conviertas aparecerán aquí.
deal-status-open = Abierta
deal-status-won = Ganada
deal-status-lost = Perdida
deal-probability = Probabilidad
deal-lost-reason = Motivo de pérdida
deal-lost-reason-placeholder = Motivo (si se pierde)
deal-lines = Productos y servicios
deal-line-item = Concepto
deal-line-qty = Cant.
deal-line-price = Precio
deal-line-discount = Dto.
deal-line-tax = IVA
deal-line-net = Neto
deal-net = Neto
deal-taxes = Impuestos
deal-total = Total
deal-no-lines = Sin líneas: el importe se indicó a mano.
deal-competitors = Competencia
deal-no-competitors = No se registró competencia.
deal-threat-low = Amenaza baja
deal-threat-medium = Amenaza media
deal-threat-high = Amenaza alta
deal-stage-history = Historial de etapas
deal-days = { $n ->
    [one] 1 día
   *[other] { $n } días
}
forecast-month = Mes
forecast-open = Abierto
forecast-weighted = Ponderado
forecast-won = Ganado
forecast-deals = { $n ->
    [one] 1 oportunidad
   *[other] { $n } oportunidades
}
forecast-empty = Nada previsto en estos meses.
forecast-from = Desde
forecast-to = Hasta
forecast-period = Periodo de cuotas
forecast-explain = Ponderado = importe × probabilidad de las oportunidades abiertas, por mes de cierre previsto; ganado, por mes de cierre. Cada moneda por separado.
forecast-by-month = Por mes
forecast-by-owner = Por vendedor
forecast-by-team = Por equipo
forecast-team = Equipo
deal-no-contacts = Sin contactos en esta oportunidad.
deal-make-quote = Hacer presupuesto
deal-no-quotes = Esta oportunidad todavía no tiene presupuestos.
forecast-manage-quotas = Cuotas del periodo

## The deal form (new and edit)
deal-new = Nueva oportunidad
deal-new-title = Nueva oportunidad
deal-edit-title = Editar oportunidad
deal-form-general = Datos de la oportunidad
deal-form-name = Nombre de la oportunidad
deal-form-account = Cliente
deal-form-stage = Embudo y etapa
deal-form-amount-help = Si cargas líneas, el importe es su total neto.
deal-form-amount-from-lines = Se calcula con las líneas
deal-form-probability-placeholder = La de la etapa
deal-form-campaign = Campaña
deal-form-description = Descripción
deal-form-lines-help = Deja vacía una línea para quitarla.
deal-form-add-line = Agregar línea
deal-form-competitor = Competidor
deal-form-threat = Amenaza
deal-form-competitor-notes = Qué ofrece (precio, plazos, puntos fuertes)
deal-form-add-competitor = Agregar competidor
deal-form-create = Crear oportunidad
deal-form-fix = Revisa los campos marcados.
deal-form-stale = Otra persona cambió esta oportunidad mientras la editabas. Revisa los datos y vuelve a guardar.
deal-form-bad-number = Escribe un número, por ejemplo 1.234,50.
deal-form-bad-percent = Escribe un porcentaje entre 0 y 100.
deal-form-account-no-contacts = Este cliente todavía no tiene contactos.
deal-form-pick-account-first = Elige el cliente para ver sus contactos.
deal-edit = Editar
deals-owner-everyone = De todo el equipo
deals-owner-me = Mías
deals-board-open = { $n ->
    [one] 1 oportunidad abierta
   *[other] { $n } oportunidades abiertas
}
deals-board-weighted = ponderado:
forecast-by-stage = Por mes y etapa, en { $currency }
forecast-range-total = Total del periodo
forecast-chart-explain = Cada barra es un mes: lo ponderado de las oportunidades abiertas más lo ganado, por etapa, sumado en { $currency } con la cotización del mes (Configuración).
forecast-unconverted = Sin cotización para { $currencies }: esos importes quedan fuera de los totales en { $currency }. Un administrador la carga en Configuración.
forecast-unconverted-short = sin cotización para { $currencies }
forecast-legend = Etapas
forecast-chart-table = Cifras del gráfico
forecast-total = Total
forecast-stage-gone = Etapa eliminada

# Cartera: textos de la interfaz en español, billing (cobranzas: facturas, notas, cobros,
# estado de cuenta, antigüedad de saldos y semáforo de riesgo). Las claves son las mismas
# que en en/billing.ftl y no se repiten en ningún otro archivo.

nav-receivables = Cobranzas
kind-invoice = Factura
kind-payment = Cobro
billing-sections = Secciones de cobranzas
billing-as-of = Al día
billing-balance = Saldo
billing-on-account = A cuenta
billing-record-payment = Registrar cobro
billing-invoice-it = Facturar
billing-more = Ver más
billing-see-statement = Ver el estado de cuenta
billing-card-title = Cuenta corriente
billing-card-empty = Todavía no hay facturas ni cobros.
billing-latest-invoices = Últimos comprobantes
billing-latest-payments = Últimos cobros
billing-open-count = { $n ->
    [one] 1 comprobante abierto
   *[other] { $n } comprobantes abiertos
}
billing-open-of = Debe { $open } de { $total }
billing-days-overdue = { $n ->
    [one] Vencida hace 1 día
   *[other] Vencida hace { $n } días
}
billing-due-on = Vence el { $date }

ageing-current = A vencer
ageing-days = { $range } días

receivables-title = Cuentas a cobrar
receivables-tab = Antigüedad de saldos
receivables-as-of = Saldos al { $date }
receivables-group = Agrupar por
receivables-by-customer = Cliente
receivables-by-rep = Vendedor
receivables-by-territory = Territorio
receivables-no-territory = Sin territorio
receivables-all-customers = ← Todos los clientes
receivables-by-currency = Moneda
receivables-no-rep = Sin vendedor
receivables-total = Total
receivables-empty-title = No hay saldos a cobrar al { $date }
receivables-empty-text = Cuando factures un pedido o un presupuesto aceptado, lo que el cliente deba aparece aquí según su antigüedad.
receivables-empty-action = Ver pedidos para facturar

statement-title = Estado de cuenta
statement-period = Movimientos hasta el { $date }
statement-period-from = Movimientos del { $from } al { $date }
statement-from = Desde
statement-currencies = Monedas de la cuenta
statement-movements = Movimientos
statement-opening = Saldo anterior
statement-closing = Saldo al { $date }
statement-in-favour = Saldo a favor del cliente.
statement-date = Fecha
statement-movement = Movimiento
statement-debit = Debe
statement-credit = Haber
statement-no-movements = No hay movimientos en este periodo.
statement-open-items = Comprobantes pendientes
statement-nothing-open = No hay nada pendiente de cobro.
statement-ageing = Antigüedad de la deuda

movement-invoice = Factura
movement-debit_note = Nota de débito
movement-credit_note = Nota de crédito
movement-payment = Cobro
movement-payment_reversal = Reversión de cobro

invoices-title = Facturas
invoices-show = Mostrar
invoices-show-all = Todas
invoices-show-open = Pendientes de cobro
invoices-show-overdue = Vencidas
invoices-all-kinds = Todos los tipos
invoices-empty-title = No hay comprobantes para mostrar
invoices-empty-text = Una factura se emite desde un pedido o desde un presupuesto aceptado, con el botón «Facturar».
invoice-kind = Tipo
invoice-kind-invoice = Factura
invoice-kind-credit_note = Nota de crédito
invoice-kind-debit_note = Nota de débito
invoice-number = Número
invoice-issue-date = Emisión
invoice-due-date = Vencimiento
invoice-open = Pendiente
invoice-overdue = Vencida
invoice-terms = { $n ->
    [0] al contado
    [one] a 1 día
   *[other] a { $n } días
}
invoice-status-unpaid = Impaga
invoice-status-partially_paid = Pagada en parte
invoice-status-paid = Pagada
invoice-status-credit = Crédito a favor
invoice-from-order = Del pedido
invoice-corrects = Corrige
invoice-reason = Motivo
invoice-settled-by = Cobros aplicados
invoice-nothing-settled = Todavía no se aplicó ningún cobro.
invoice-notes-issued = Notas de crédito y débito
invoice-no-notes = No se emitieron notas sobre este comprobante.
invoice-fiscal = Datos fiscales
invoice-fiscal-type = Tipo de factura
invoice-fiscal-cae = CAE
invoice-fiscal-cae-expires = Vencimiento del CAE
invoice-fiscal-cfdi-uuid = Folio fiscal (CFDI)
invoice-fiscal-cfdi-method = Método de pago (CFDI)
invoice-fiscal-pue = Pago en una sola exhibición (PUE)
invoice-fiscal-ppd = Pago en parcialidades (PPD)
invoice-error-note-of-note = Una nota corrige una factura, no otra nota.
order-error-invoiced = Este pedido ya está facturado.
order-error-not-invoiced = No se pudo facturar el pedido: revisa la serie, el punto de venta y el plazo de pago en la configuración de facturación.
quote-error-invoiced = Este presupuesto no se puede facturar: ya tiene factura, tiene un pedido (factura el pedido) o no está aceptado.
quote-error-not-invoiced = No se pudo facturar el presupuesto: revisa la serie, el punto de venta y el plazo de pago en la configuración de facturación.

note-new-credit_note = Nueva nota de crédito
note-new-debit_note = Nueva nota de débito
note-issue-credit_note = Emitir la nota de crédito
note-issue-debit_note = Emitir la nota de débito
note-of = Sobre la factura { $number } por { $total }
note-help-credit_note = Acredita al cliente lo que escribas en las líneas (precios en { $currency }, sin impuestos). Lo acreditado salda la factura en lo que esté pendiente; el resto queda a cuenta.
note-help-debit_note = Cobra al cliente un cargo más: una corrección, intereses o gastos (precios en { $currency }, sin impuestos).
note-whole = Acreditar la factura completa ({ $total })
note-whole-help = Copia las líneas de la factura; las líneas de abajo no se usan.
note-whole-line = Anulación de la factura { $number }
note-invoice-lines = Las líneas de la factura { $number }

payments-title = Cobros
payments-empty-title = Todavía no hay cobros
payments-empty-text = Registra lo que paga un cliente y aplícalo a sus facturas pendientes.
payment-new = Registrar cobro
payment-customer = Cliente
payment-continue = Continuar
payment-receipt = Recibo
payment-amount = Importe
payment-currency = Moneda
payment-method = Medio de pago
payment-method-cash = Efectivo
payment-method-transfer = Transferencia
payment-method-card = Tarjeta
payment-method-cheque = Cheque
payment-method-other = Otro
payment-received-on = Fecha de cobro
payment-reference = Referencia
payment-notes = Notas
payment-what-it-settles = Qué salda
payment-allocations-help = Escribe cuánto del cobro aplicar a cada factura; lo que no apliques queda a cuenta del cliente.
payment-no-open = El cliente no tiene facturas pendientes: el cobro queda a cuenta.
payment-apply = Aplicar
payment-apply-to = Importe a aplicar a { $number }
payment-refused = El cobro no se registró; mira los campos marcados.
payment-error-above-open = Es más de lo pendiente en esta factura ({ $open }).
payment-error-stale = Alguien cambió este cobro mientras lo mirabas; revisa cómo quedó y vuelve a intentarlo.
payment-error-reversed = Este cobro fue revertido: ya no se puede cambiar.
payment-saved = Cobro registrado.
payment-allocated = Saldo aplicado.
payment-reversed-notice = Reversión registrada.
payment-applied = Aplicado
payment-applied-on = aplicado el { $date }
payment-what-it-settled = Qué saldó
payment-nothing-settled = Este cobro no se aplicó a ninguna factura: está a cuenta.
payment-allocation-active = Vigente
payment-reversed = Revertido
payment-reversed-on = Revertido el { $date }
payment-reversal-reason = Motivo de la reversión
payment-reason = Motivo (obligatorio)
payment-reverse = Revertir el cobro
payment-reverse-confirm = El cobro deja de contar desde hoy y cada factura que saldó vuelve a quedar pendiente. Úsalo si el cheque fue rechazado o la transferencia devuelta.
payment-reverse-allocation = Revertir
payment-reverse-allocation-confirm = La factura { $number } vuelve a quedar pendiente por este importe y el dinero queda a cuenta del cliente.
payment-reverse-do = Confirmar la reversión
payment-apply-spare = Aplicar saldo
payment-apply-spare-help = Quedan { $amount } a cuenta. Te proponemos aplicarlos a las facturas más antiguas; cambia los importes si hace falta.
payment-no-open-to-apply = Quedan { $amount } a cuenta y el cliente no tiene facturas pendientes en esta moneda.

risk-green = Al día
risk-amber = Con deuda vencida
risk-red = Riesgo alto
risk-overdue = Vencido
risk-see-statement = Ver el estado de cuenta
risk-why-oldest = { $days ->
    [one] la deuda más antigua venció hace 1 día
   *[other] la deuda más antigua venció hace { $days } días
}
risk-why-bounced = { $n ->
    [one] 1 cheque rechazado en los últimos 12 meses
   *[other] { $n } cheques rechazados en los últimos 12 meses
}

field-reason = Motivo
field-method = Medio de pago
field-received-on = Fecha de cobro
field-allocations = Aplicaciones
field-reversed-on = Fecha de reversión
field-reversal-reason = Motivo de la reversión

violation-invalid-payment-amount = Escribe un importe mayor que cero, como 1.234,50.
violation-out_of_range-payment-amount = Escribe un importe mayor que cero, con hasta dos decimales.
violation-out_of_range-payment-received_on = La fecha del cobro no puede ser posterior a hoy.
violation-too_long-payment-reference = La referencia es demasiado larga (hasta 200 caracteres).
violation-too_long-payment-notes = Las notas son demasiado largas (hasta 2000 caracteres).
violation-required-payment-account_id = Elige el cliente que paga.
violation-not_found-payment-account_id = No encontramos ese cliente.
violation-required-payment-method = Elige el medio de pago.
violation-invalid-payment-invoice = Este cobro no puede saldar esta factura: es de otro cliente, está en otra moneda o es una nota de crédito.
violation-not_found-payment-invoice = No encontramos esa factura.
violation-out_of_range-payment-allocations = Lo aplicado suma más que el importe del cobro.
violation-required-payment-allocations = Escribe cuánto aplicar a al menos una factura.
violation-required-payment-reason = Escribe el motivo de la reversión.
violation-too_long-payment-reason = El motivo es demasiado largo (hasta 500 caracteres).
violation-required-note-reason = Escribe el motivo de la nota.
violation-too_long-note-reason = El motivo es demasiado largo (hasta 500 caracteres).
violation-required-note-lines = Agrega al menos una línea, o marca «Acreditar la factura completa».
violation-out_of_range-note-lines = La nota de crédito es mayor que lo que queda por acreditar de la factura.
violation-required-note-description = Describe qué se acredita o se cobra.

cheque-details = Datos del cheque
cheque-details-help = Solo para cobros con cheque; con otro medio de pago no se usan.
cheque-bank = Banco
cheque-number = Número de cheque
cheque-drawer = Librador
cheque-drawer_tax_id = CUIT del librador
cheque-issue_date = Fecha de emisión
cheque-payment_date = Fecha de pago
violation-required-payment-cheque = Completa los datos del cheque: banco, número, librador, su CUIT y las fechas.
violation-invalid-payment-cheque = Solo un cobro con cheque lleva los datos de un cheque.
violation-required-cheque-bank = Escribe el banco del cheque.
violation-too_long-cheque-bank = El nombre del banco es demasiado largo (hasta 120 caracteres).
violation-required-cheque-number = Escribe el número del cheque.
violation-too_long-cheque-number = El número es demasiado largo (hasta 40 caracteres).
violation-required-cheque-drawer = Escribe quién firma el cheque.
violation-too_long-cheque-drawer = El nombre del librador es demasiado largo (hasta 200 caracteres).
violation-invalid-cheque-drawer_tax_id = Revisa el CUIT: son 11 dígitos y el último es el dígito verificador.
violation-required-cheque-issue_date = Escribe la fecha de emisión.
violation-required-cheque-payment_date = Escribe la fecha de pago.
violation-out_of_range-cheque-payment_date = La fecha de pago no puede ser anterior a la de emisión.

cheques-title = Cheques
cheques-shows = Qué cheques mostrar
cheques-show-to_deposit = Para depositar hoy
cheques-show-on_hand = En cartera
cheques-show-bounced = Rechazados (12 meses)
cheques-show-all = Todos
cheques-count = { $n ->
    [one] 1 cheque
   *[other] { $n } cheques
}
cheques-on-hand = Cheques en cartera
cheques-payable-now = Ya se pueden depositar
cheques-week-of = Semana del { $date }
cheques-empty-to_deposit = No hay cheques para depositar hoy
cheques-empty-on_hand = No hay cheques en cartera
cheques-empty-bounced = No hubo cheques rechazados en los últimos 12 meses
cheques-empty-all = Todavía no se recibieron cheques
cheques-empty-text = Un cheque entra en la cartera cuando registras un cobro con cheque.
cheque-title = Cheque
cheque-see-wallet = Ver en la cartera de cheques
cheque-state = Estado
cheque-actions = Acciones
cheque-state-on_hand = En cartera
cheque-state-deposited = Depositado
cheque-state-credited = Acreditado
cheque-state-bounced = Rechazado
cheque-state-endorsed = Endosado
cheque-state-returned = Devuelto
cheque-since = desde el { $date }
cheque-number-short = N.º { $number }
cheque-cuit-short = CUIT { $cuit }
cheque-deposit-by = Depositar hasta el { $date }
cheque-late = Venció el plazo para depositarlo el { $date }
cheque-move-deposited = Depositar
cheque-move-credited = Acreditar
cheque-move-endorsed = Endosar
cheque-move-returned = Devolver
cheque-move-bounced = Rechazar
cheque-reason = Motivo del rechazo
cheque-bank-fee = Gastos bancarios (opcional)
cheque-bank-fee-help = Si el banco cobró gastos, se le cargan al cliente con una nota de débito.
cheque-bounce-confirm = El cobro de este cheque ({ $amount }) se revierte: las facturas que saldó vuelven a quedar pendientes y se avisa al vendedor y a cobranzas.
cheque-bounce-do = Confirmar el rechazo
cheque-endorse-help = El cheque pasa a un proveedor como pago.
cheque-supplier = Proveedor
cheque-endorse-do = Endosar el cheque
cheque-done-deposited = Cheque { $bank } { $number } ({ $amount }) depositado.
cheque-done-credited = Cheque { $bank } { $number } ({ $amount }) acreditado.
cheque-done-endorsed = Cheque { $bank } { $number } ({ $amount }) endosado a { $supplier }.
cheque-done-returned = Cheque { $bank } { $number } ({ $amount }) devuelto.
cheque-done-bounced = Cheque { $bank } { $number } ({ $amount }) rechazado.
cheque-done-payment-reversed = Se revirtió su cobro:
cheque-done-reopened = { $n ->
    [one] Vuelve a quedar pendiente la factura
   *[other] Vuelven a quedar pendientes las facturas
}
cheque-done-debit-note = Los gastos bancarios ({ $total }) se cargaron al cliente con la nota de débito
cheque-done-told = Se avisó al vendedor de la cuenta y a cobranzas.
cheque-error-stale = Alguien movió este cheque mientras lo mirabas; mira cómo quedó y vuelve a intentarlo.
violation-required-cheque-reason = Escribe por qué lo rechazó el banco.
violation-too_long-cheque-reason = El motivo es demasiado largo (hasta 500 caracteres).
violation-out_of_range-cheque-bank_fee = Escribe un importe de cero o más, como 1.500,00.
violation-required-cheque-supplier_id = Elige el proveedor al que se endosa.
violation-not_found-cheque-supplier_id = No encontramos ese proveedor.
violation-out_of_range-cheque-on = La fecha va desde el día del último movimiento del cheque hasta hoy.
violation-conflict-cheque-state = Este cheque ya no puede pasar a ese estado.

invoice-view-pdf = Ver PDF
invoice-download-pdf = Descargar PDF
billing-send-email = Enviar por email
billing-send-subject = Asunto (opcional)
billing-send-message = Mensaje (opcional)
billing-send-do = Enviar
invoice-send-help = Va con el PDF adjunto. Sin asunto ni mensaje se usa el texto de siempre.
invoice-sent-notice = Comprobante enviado por email.
invoice-sent-at = Enviado por email: { $when }.
statement-pdf = PDF
statement-xlsx = Excel
statement-send-help = Va el estado de cuenta de esta página, con el PDF adjunto.
statement-sent-notice = Estado de cuenta enviado por email.
violation-required-send-to = Escribe una dirección: el cliente no tiene contactos con email.
violation-invalid-send-to = Esa dirección de email no es válida.
send-error-not-sent = No se pudo enviar el email. Prueba de nuevo en un momento; no se cambió nada.
error-invoice-pdf-title = No se pudo generar el PDF
error-invoice-pdf-text = La plantilla de facturas tiene un error. Un administrador puede corregirla en Administración.
error-statement-file-title = No se pudo generar el estado de cuenta
error-statement-file-text = Prueba de nuevo en un momento.

promise-record = Registrar promesa de pago
promise-help = El cliente dijo que paga: los recordatorios de cobranza se pausan hasta ese día.
promise-day = Paga el
promise-amount = Importe en { $currency } (opcional)
promise-note = Nota (opcional)
promise-save = Registrar la promesa
promise-saved-notice = Promesa de pago registrada.
promise-active = Promesa de pago para el { $date }
violation-required-promise-promised_on = Escribe el día en que el cliente dice que paga.
violation-out_of_range-promise-promised_on = La promesa es para hoy o un día posterior, dentro de un año.
violation-out_of_range-promise-amount = Escribe un importe mayor que cero, como 50.000,00.
violation-too_long-promise-note = La nota es demasiado larga.

risk-needs-approval = Se necesita la aprobación de un gerente para enviar presupuestos o confirmar pedidos.
risk-approved-until = Un gerente aprobó seguir vendiéndole hasta el { $date }.
risk-approve = Aprobar
risk-approve-title = Aprobar la venta
risk-approve-help = Apruebas seguir vendiendo a este cliente con «{ $level }»: podrán enviarse presupuestos y confirmarse pedidos durante los días que indiques.
risk-approve-reason = Motivo (obligatorio)
risk-approve-days = Días de validez
risk-approve-do = Aprobar
risk-approve-back = Volver
risk-nothing-to-approve = No hay nada que aprobar: el cliente está al día o ya tiene una aprobación vigente.
risk-blocked-send = No se envió el presupuesto: el cliente está en «{ $level }» ({ $why }). Se necesita la aprobación de un gerente para enviar presupuestos o confirmar pedidos.
risk-blocked-order = No se creó el pedido: el cliente está en «{ $level }» ({ $why }). Se necesita la aprobación de un gerente para enviar presupuestos o confirmar pedidos.
violation-required-approval-reason = Escribe por qué se puede seguir vendiéndole.
violation-too_long-approval-reason = El motivo es demasiado largo (hasta 500 caracteres).
violation-out_of_range-approval-days = Escribe un número de días entre 1 y 90.

my-day-cheques-to-deposit = { $n ->
    [0] Ningún cheque para depositar hoy
    [one] 1 cheque para depositar hoy
   *[other] { $n } cheques para depositar hoy
}
my-day-collection-calls = { $n ->
    [one] 1 llamada de cobranza pendiente
   *[other] { $n } llamadas de cobranza pendientes
}
my-day-collection-calls-where = Están en tu agenda de hoy.
statement-monthly-on = Recibe este estado de cuenta por correo el día { $day } de cada mes.
statement-monthly-off = No recibe el estado de cuenta mensual.
statement-monthly-last = Último: { $month }, enviado a { $to } el { $date }
statement-monthly-last-failed = El de { $month } no se pudo enviar (sin correo o rechazado)
statement-monthly-stop = Dejar de enviarlo
statement-monthly-resume = Enviarlo cada mes
statement-monthly-on-notice = El cliente recibirá el estado de cuenta cada mes.
statement-monthly-off-notice = El cliente ya no recibirá el estado de cuenta mensual.

## Importing invoices and payments from a file
billing-import = Importar
billing-import-title-invoices = Importar facturas
billing-import-title-payments = Importar cobros
billing-import-lead-invoices = Traiga las facturas y notas abiertas de su sistema anterior desde un Excel (XLSX) o un CSV.
billing-import-lead-payments = Traiga los cobros recibidos en su sistema anterior desde un Excel (XLSX) o un CSV.
billing-import-columns = Columnas
billing-import-column = Columna
billing-import-meaning = Qué lleva
billing-import-template = Descargar plantilla
billing-import-all-or-nothing = Los encabezados pueden estar en español o en inglés. Se importa todo o nada: si una fila tiene un error no se escribe ninguna.
billing-import-file = Elija el archivo
billing-import-review = Revisar
billing-import-run = Importar
billing-import-would-invoices = { $count ->
    [one] Todo en orden: se creará 1 comprobante.
   *[other] Todo en orden: se crearán { $count } comprobantes.
}
billing-import-would-payments = { $count ->
    [one] Todo en orden: se registrará 1 cobro.
   *[other] Todo en orden: se registrarán { $count } cobros.
}
billing-import-done-invoices = { $count ->
    [one] Se creó 1 comprobante.
   *[other] Se crearon { $count } comprobantes.
}
billing-import-done-payments = { $count ->
    [one] Se registró 1 cobro.
   *[other] Se registraron { $count } cobros.
}
billing-import-see-invoices = Ver las facturas
billing-import-see-payments = Ver los cobros
billing-import-refused = { $count ->
    [one] No se importó nada: hay 1 problema.
   *[other] No se importó nada: hay { $count } problemas.
}
billing-import-at-row = Fila { $row }
billing-import-at-header = Encabezado
billing-import-help-invoices-customer = El cliente: su nombre exacto o el id de la cuenta (o use la columna CUIT).
billing-import-help-invoices-tax_id = El CUIT (o NIF, RFC) del cliente.
billing-import-help-invoices-kind = Factura, nota de crédito o nota de débito; vacío es factura.
billing-import-help-invoices-number = El número del sistema anterior; vacío: lo numera la serie.
billing-import-help-invoices-date = Fecha de emisión (obligatoria), 22/11/2026 o 2026-11-22.
billing-import-help-invoices-due_date = Vencimiento; vacío: según el plazo de pago de la empresa.
billing-import-help-invoices-currency = Código de moneda (ARS, USD); vacío: la de la empresa.
billing-import-help-invoices-net = Importe neto (opcional, con el IVA).
billing-import-help-invoices-tax = IVA (opcional, con el neto); neto más IVA debe dar el total.
billing-import-help-invoices-total = Total del comprobante (obligatorio), 1.234,50.
billing-import-help-invoices-description = Una línea de descripción.
billing-import-help-payments-customer = El cliente: su nombre exacto o el id de la cuenta (o use la columna CUIT).
billing-import-help-payments-tax_id = El CUIT (o NIF, RFC) del cliente.
billing-import-help-payments-date = Fecha del cobro (obligatoria).
billing-import-help-payments-amount = Importe cobrado (obligatorio), 1.234,50.
billing-import-help-payments-currency = Código de moneda; vacío: la de la primera factura, o la de la empresa.
billing-import-help-payments-method = Efectivo, transferencia, tarjeta, cheque u otro; vacío es otro.
billing-import-help-payments-reference = Referencia del cobro (opcional).
billing-import-help-payments-invoice = Número de la factura que paga, o varios separados por ; (se aplican en ese orden; el resto queda a cuenta).
billing-import-col-customer = cliente
billing-import-col-tax_id = CUIT
billing-import-col-kind = tipo
billing-import-col-number = número
billing-import-col-date = fecha
billing-import-col-due_date = vencimiento
billing-import-col-currency = moneda
billing-import-col-net = neto
billing-import-col-tax = IVA
billing-import-col-total = total
billing-import-col-description = descripción
billing-import-col-amount = importe
billing-import-col-method = medio
billing-import-col-reference = referencia
billing-import-col-invoice = factura
billing-import-problem-missing-column = falta esta columna en el archivo.
billing-import-problem-repeated-column = dos columnas del archivo dicen lo mismo.
billing-import-problem-required = no puede quedar vacío.
billing-import-problem-not-a-date = «{ $value }» no es una fecha; escríbala como 22/11/2026.
billing-import-problem-not-a-number = «{ $value }» no es un número.
billing-import-problem-not-cents = «{ $value }» tiene más de dos decimales.
billing-import-problem-not-positive = «{ $value }» debe ser mayor que cero.
billing-import-problem-negative = «{ $value }» no puede ser negativo.
billing-import-problem-unknown-kind = «{ $value }» no es un tipo de comprobante: factura, nota de crédito o nota de débito.
billing-import-problem-unknown-method = «{ $value }» no es un medio de pago: efectivo, transferencia, tarjeta, cheque u otro.
billing-import-problem-unknown-currency = «{ $value }» no es un código de moneda como ARS.
billing-import-problem-unknown-customer = ningún cliente es «{ $value }».
billing-import-problem-ambiguous-customer = { $count } clientes son «{ $value }»; indique el CUIT o el id de la cuenta.
billing-import-problem-sum = el neto { $net } más el IVA { $tax } no da el total { $total }.
billing-import-problem-net-without-tax = indique el neto y el IVA, o ninguno de los dos.
billing-import-problem-repeats-row = la fila { $row } tiene el mismo número.
billing-import-problem-number-taken = { $number } ya es el número de un comprobante.
billing-import-problem-due-before-issue = el vencimiento es anterior a la emisión.
billing-import-problem-too-long = como máximo { $max } caracteres.
billing-import-problem-unknown-invoice = ninguna factura tiene el número { $number }.
billing-import-problem-other-customers-invoice = { $number } es una factura de otro cliente.
billing-import-problem-nothing-open = { $number } no tiene nada pendiente.
billing-import-rule-required = falta un dato obligatorio.
billing-import-rule-invalid = el valor no es válido.
billing-import-rule-too_short = el valor es demasiado corto.
billing-import-rule-too_long = el valor es demasiado largo.
billing-import-rule-too_many = hay demasiados valores.
billing-import-rule-out_of_range = el valor está fuera de lo permitido (por ejemplo, una fecha futura o más de lo pendiente).
billing-import-rule-unknown_field = el dato no se reconoce.
billing-import-rule-read_only = el dato no se puede cambiar.
billing-import-rule-not_found = no se encontró lo indicado.
billing-import-rule-duplicate = el valor ya existe.
billing-import-rule-conflict = el valor choca con otro dato.
risk-why-credit = { $used } % del límite de crédito usado
risk-credit-used = Crédito usado
risk-credit-of = { $used } % de { $limit }

## Administración → Facturación y cobranzas
billing-admin-sections = Partes de la configuración de facturación
billing-admin-defaults = Numeración, vencimientos y riesgo
billing-admin-interest = Intereses por mora
billing-admin-dunning = Avisos de cobranza
billing-admin-template = Plantilla de factura
billing-admin-saved-defaults = Guardamos la numeración, los vencimientos y la regla de riesgo.
billing-admin-saved-interest = Guardamos las tasas de interés por mora.
billing-admin-saved-dunning = Guardamos los avisos de cobranza.
billing-admin-saved-template = Guardamos la plantilla de factura.
billing-admin-series = Letra de la serie
billing-admin-series-help = De una a tres letras mayúsculas o dígitos, como A o B. Las facturas nuevas se numeran en ella.
billing-admin-point-of-sale = Punto de venta
billing-admin-terms = Plazo de pago (días)
billing-admin-terms-help = Días desde la emisión hasta el vencimiento, salvo que la factura o el pedido digan otro.
billing-admin-buckets = Tramos de antigüedad (días)
billing-admin-buckets-help = Límites separados por comas, de menor a mayor, como 30, 60, 90.
billing-admin-amber = Cliente en amarillo (algo vencido)
billing-admin-red = Cliente en rojo (más de 30 días o cheque rechazado)
billing-admin-action-warn = Solo avisar
billing-admin-action-approval = Pedir la aprobación de un gerente
billing-admin-statements = Estado de cuenta mensual
billing-admin-statements-monthly = Enviar cada mes el estado de cuenta a los clientes que deben
billing-admin-statements-day = Día del mes en que se envía
billing-admin-statements-day-help = Del 1 al 28. Cada cliente puede darse de baja desde su estado de cuenta.
billing-admin-credit-field = Límite de crédito
billing-admin-credit-none = Sin límite de crédito
billing-admin-credit-help = El campo de importe de la cuenta que guarda su límite; el semáforo compara el saldo con él.
billing-admin-credit-no-fields = Para usar un límite de crédito, crea un campo de tipo importe en las cuentas:
billing-admin-interest-help = Interés simple diario sobre cada saldo vencido. La tasa es mensual (3 es 3 % por mes) y rige por períodos que no se superponen; un período sin fin rige desde su fecha en adelante.
billing-admin-interest-country = Tasa legal por defecto
billing-admin-interest-country-none = Ninguna
billing-admin-interest-country-AR = Argentina (no hay: escribe la pactada)
billing-admin-interest-country-ES = España (BCE + 8 puntos)
billing-admin-interest-country-MX = México (6 % anual)
billing-admin-rate-from = Desde
billing-admin-rate-to = Hasta (vacío: sin fin)
billing-admin-rate-rate = Tasa mensual %
billing-admin-rate-remove-row = Quitar el período desde { $from }
billing-admin-rate-new-from = Desde (nuevo período)
billing-admin-rate-new-to = Hasta (nuevo período)
billing-admin-rate-new-rate = Tasa mensual % (nuevo período)
billing-admin-dunning-help = Cada nivel corre cuando una factura cumple esos días de atraso: envía un email al cliente, agenda una llamada para su cobrador, o ambas cosas. Un nivel nunca se repite para la misma factura y una promesa de pago lo pausa.
billing-admin-dunning-enabled = Enviar avisos de cobranza todos los días
billing-admin-dunning-blanks = En el asunto y el texto puedes usar { "{" }customer{ "}" } (el cliente), { "{" }invoice{ "}" } (el número), { "{" }amount{ "}" } (el saldo), { "{" }due_date{ "}" } (el vencimiento) y { "{" }days{ "}" } (los días de atraso).
billing-admin-level = Nivel { $n }: a los { $days } días
billing-admin-level-new = Agregar un nivel
billing-admin-level-days = Días de atraso
billing-admin-level-does = Qué hace
billing-admin-level-email = Email al cliente
billing-admin-level-task = Llamada del cobrador
billing-admin-level-subject-es = Asunto en español
billing-admin-level-body-es = Texto en español
billing-admin-level-subject-en = Asunto en inglés
billing-admin-level-body-en = Texto en inglés
billing-admin-level-remove = Quitar este nivel
billing-admin-template-help = Un documento typst con el que se imprimen las facturas y las notas de crédito y de débito, en el idioma de cada cliente. Se prueba con una factura de ejemplo antes de guardarse. El logo es el mismo de los presupuestos:
billing-admin-template-logo = cambiar el logo
violation-invalid-billing-series = De una a tres letras mayúsculas o dígitos, como A.
violation-invalid-billing-point_of_sale = Escribe un número entero, del 1 al 99999.
violation-out_of_range-billing-point_of_sale = Escribe un número entero, del 1 al 99999.
violation-invalid-billing-payment_terms_days = Escribe una cantidad de días, como 30.
violation-out_of_range-billing-payment_terms_days = El plazo puede ser de hasta 3650 días.
violation-invalid-billing-buckets = Escribe de 1 a 12 límites en días, mayores que cero y crecientes, como 30, 60, 90.
violation-invalid-billing-day = Escribe un día del 1 al 28.
violation-out_of_range-billing-day = Escribe un día del 1 al 28.
violation-invalid-billing-credit_limit_field = Elige un campo de importe de las cuentas.
violation-required-billing-rate-from = Escribe la fecha desde la que rige la tasa.
violation-conflict-billing-rate-from = Este período se superpone con otro: cada día tiene una sola tasa.
violation-invalid-billing-rate-to = Escribe una fecha válida, o déjala vacía.
violation-out_of_range-billing-rate-to = El fin no puede ser anterior al inicio.
violation-invalid-billing-rate-rate = Escribe un porcentaje mensual, como 3 o 2,5.
violation-out_of_range-billing-rate-rate = Escribe un porcentaje mensual entre 0 y 100, con hasta 6 decimales.
violation-too_many-billing-rates = Hay demasiados períodos.
violation-out_of_range-billing-level-days_overdue = Escribe los días de atraso, del 1 al 365.
violation-invalid-billing-level-days_overdue = Cada nivel va después del anterior: escribe más días que los del nivel de arriba.
violation-required-billing-level-level = Un nivel envía un email, agenda una llamada o ambas cosas: marca al menos una.
violation-required-billing-level-subject_es = Un nivel que envía email necesita asunto y texto en los dos idiomas.
violation-required-billing-level-body_es = Un nivel que envía email necesita asunto y texto en los dos idiomas.
violation-required-billing-level-subject_en = Un nivel que envía email necesita asunto y texto en los dos idiomas.
violation-required-billing-level-body_en = Un nivel que envía email necesita asunto y texto en los dos idiomas.
violation-invalid-billing-level-subject_es = Revisa el asunto: es una sola línea y solo usa los datos de la lista de abajo.
violation-invalid-billing-level-subject_en = Revisa el asunto: es una sola línea y solo usa los datos de la lista de abajo.
violation-invalid-billing-level-body_es = Revisa el texto: solo usa los datos de la lista de abajo, entre llaves.
violation-invalid-billing-level-body_en = Revisa el texto: solo usa los datos de la lista de abajo, entre llaves.
violation-required-billing-levels = Agrega al menos un nivel, o desmarca «Enviar avisos de cobranza».
violation-too_many-billing-levels = Hay demasiados niveles (hasta 10).

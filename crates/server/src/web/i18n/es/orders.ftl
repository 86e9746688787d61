# Cartera: textos de la interfaz en español, orders. Las claves son las mismas que en en/orders.ftl
# y no se repiten en ningún otro archivo.

orders-title = Pedidos
orders-empty-title = Todavía no hay pedidos
orders-empty-text = Un pedido se genera desde un presupuesto aceptado.
orders-empty-action = Ver presupuestos aceptados
order-title = Pedido
order-number = Número
order-date = Fecha
order-partial = Entregado en parte
order-from-quote = Del presupuesto
order-steps = Avance
order-status-confirmed = Confirmado
order-status-picking = En preparación
order-status-shipped = Despachado
order-status-delivered = Entregado
order-status-invoiced = Facturado
order-move-picking = Empezar la preparación
order-move-shipped = Marcar despachado
order-move-invoiced = Marcar facturado
order-delivered = Entregado
order-deliver-now = Entregar ahora
order-left = faltan { $n }
order-delivered-on = Entregado el
order-record-delivery = Registrar la entrega
order-deliveries = Entregas
order-no-deliveries = Todavía no se entregó nada.
order-error-status = Ese paso no es posible ahora: un pedido solo avanza, y queda entregado por sus entregas.
order-deliver-nothing = Escribe la cantidad entregada de al menos una línea.
order-deliver-invalid = La entrega no se registró; mira las líneas marcadas.

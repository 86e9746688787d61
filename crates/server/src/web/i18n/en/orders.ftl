# Cartera: interface texts in English, orders. The keys are the same as in es/orders.ftl and
# appear in no other file.

orders-title = Orders
orders-empty-title = No orders yet
orders-empty-text = An order is made from an accepted quote.
orders-empty-action = See accepted quotes
order-title = Order
order-number = Number
order-date = Date
order-partial = Partly delivered
order-from-quote = From quote
order-steps = Progress
order-status-confirmed = Confirmed
order-status-picking = Picking
order-status-shipped = Shipped
order-status-delivered = Delivered
order-status-invoiced = Invoiced
order-move-picking = Start picking
order-move-shipped = Mark shipped
order-move-invoiced = Mark invoiced
order-delivered = Delivered
order-deliver-now = Deliver now
order-left = { $n } left
order-delivered-on = Delivered on
order-record-delivery = Record delivery
order-deliveries = Deliveries
order-no-deliveries = Nothing delivered yet.
order-error-status = That step is not possible now: an order moves forward, and is delivered through its deliveries.
order-deliver-nothing = Write the quantity delivered of at least one line.
order-deliver-invalid = The delivery was not recorded; see the lines marked.

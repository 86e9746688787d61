# Cartera: textos de la interfaz en español, imports. Las claves son las mismas que en en/imports.ftl
# y no se repiten en ningún otro archivo.

import-title = Importar
import-lead = Trae tus clientes desde Excel o CSV: revisa las columnas y una vista previa antes de grabar nada.
import-upload = Subir un archivo
import-kind = Importar en
import-locale = Fechas y números
import-locale-es = Español (22/11/2026, 1.234,50)
import-locale-en = Inglés (11/22/2026, 1,234.50)
import-drop = Suelta un archivo aquí o elígelo
import-formats = Excel (XLSX, XLS), OpenDocument (ODS) o CSV, hasta 64 MB
import-read = Leer el archivo
import-upload-failed = No se pudo leer el archivo.
import-recent = Importaciones recientes
import-file = Archivo
import-status = Estado
import-result = Resultado
import-counts = { $created } nuevos · { $updated } actualizados · { $skipped } omitidos · { $rejected } rechazados
import-status-draft = Lista para revisar
import-status-queued = En espera
import-status-running = Importando
import-status-checked = Vista previa lista
import-status-done = Importada
import-status-failed = No importada
import-status-undone = Deshecha
import-status-undoing = Deshaciendo
import-status-expired = Vencida
import-mode = Si una fila tiene problemas
import-mode-dry_run = Vista previa
import-mode-skip_bad_rows = Importar las filas buenas
import-mode-skip_bad_rows-help = y listar las demás para corregirlas
import-mode-all_or_nothing = Todo o nada
import-mode-all_or_nothing-help = con una sola fila mala no se importa nada
import-progress = Avance
import-progress-of = { $done } de { $total } filas
import-progress-rows = { $done } filas leídas
import-outcome = Resultado
import-outcome-created = Nuevo
import-outcome-updated = Actualizado
import-outcome-skipped = Omitido
import-outcome-rejected = Rechazado
import-download-rejected = Descargar filas rechazadas (Excel)
import-undo = Deshacer esta importación
import-undo-progress = { $done } de { $total } registros revertidos
import-stalled = Sin avances desde hace un rato. Si el servidor que ejecutaba esta importación se detuvo, sigue sola desde el último paso guardado después del { $until }.
import-expired-note = Este archivo esperó demasiado sin importarse y se eliminó.
import-upload-again = Volver a subirlo
import-see-records = Ver los registros
import-reload-when-done = Esta página se actualiza sola; puedes salir y volver.
import-mapping = Columnas
import-mapping-help = Cada columna del archivo llena un campo; cambia lo que se adivinó.
import-column = Columna del archivo
import-field = Campo
import-sample = Primeros valores
import-skip-column = — no importar —
import-options = Duplicados y modo
import-match-on = Reconocer registros existentes por
import-match-email = Email
import-match-tax_id = CUIT
import-match-external_id = Código del otro sistema
import-on-match = Si el registro ya existe
import-on-skip = Dejarlo como está
import-on-update = Actualizarlo con el archivo
import-on-create = Crear otro
import-preview = Vista previa
import-run = Importar
import-preview-title = Qué haría la importación
import-rows-title = Fila por fila
import-problems = Problemas
import-problem-not_a_date = «{ $value }» no es una fecha; escríbela como { $example }.
import-problem-no_such_day = «{ $value }» no es una fecha: ese mes no tiene ese día.
import-problem-no_such_month = «{ $value }» no es una fecha: no existe ese mes.
import-problem-not_a_number = «{ $value }» no es un número; escríbelo como { $example }.
import-problem-not_yes_no = «{ $value }» no es ni sí ni no.
import-problem-bad_encoding = La fila tiene bytes que no son { $value }; elige la codificación del archivo.
import-problem-cell_count = La fila tiene { $cells } celdas y el encabezado { $columns } columnas.
import-problem-nul_cell = La fila tiene en la columna «{ $value }» un carácter nulo, que no se puede guardar.
import-problem-same_key-named = Ya hay un registro con { $key ->
    [tax_id] la misma identificación fiscal
    [external_id] el mismo código del otro sistema
   *[email] el mismo email
}: { $kind } «{ $name }».
import-problem-same_key-hidden = Ya hay un registro fuera de tu vista con { $key ->
    [tax_id] la misma identificación fiscal
    [external_id] el mismo código del otro sistema
   *[email] el mismo email
}.
import-problem-repeats_row = Repite { $key ->
    [tax_id] la identificación fiscal
    [external_id] el código del otro sistema
   *[email] el email
} de la fila { $row }.
import-problem-repeats_row-named = Repite { $key ->
    [tax_id] la identificación fiscal
    [external_id] el código del otro sistema
   *[email] el email
} de la fila { $row }: { $kind } «{ $name }».
import-problem-repeats_row-hidden = Repite { $key ->
    [tax_id] la identificación fiscal
    [external_id] el código del otro sistema
   *[email] el email
} de la fila { $row }, un registro fuera de tu vista.
import-problem-already_updated = La fila { $row } ya actualiza el mismo registro.
import-problem-nothing_new = El archivo no trae nada nuevo sobre este registro.

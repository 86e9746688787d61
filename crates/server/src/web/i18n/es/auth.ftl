# Cartera: textos de la interfaz en español, auth. Las claves son las mismas que en en/auth.ftl
# y no se repiten en ningún otro archivo.

login-title = Iniciar sesión
login-subtitle = Entra con tu correo y tu contraseña.
login-email = Correo electrónico
login-password = Contraseña
login-totp = Código de verificación
login-totp-help = Los 6 dígitos que muestra tu aplicación de autenticación.
login-submit = Entrar
login-foot = ¿No te llega el correo para restablecerla? Un administrador también puede hacerlo.
login-wrong = El correo o la contraseña no son correctos.
login-wrong-code = El código no es correcto. Cada código sirve una sola vez.
login-totp-needed = Esta cuenta tiene un segundo factor: escribe el código de tu aplicación.
login-missing = Escribe tu correo y tu contraseña.
login-locked = Demasiados intentos. Vuelve a intentarlo en { $seconds ->
    [one] { $seconds } segundo
   *[other] { $seconds } segundos
  }.
login-forgot = ¿Olvidaste tu contraseña?
back-to-login = Volver a iniciar sesión
forgot-title = ¿Olvidaste tu contraseña?
forgot-subtitle = Escribe tu email y te enviamos un enlace para elegir una contraseña nueva.
forgot-submit = Enviarme un enlace
forgot-sent = Si una cuenta activa tiene este email, le llega un enlace para elegir una contraseña nueva. Vale por una hora.
forgot-email-needed = Escribe tu email.
reset-title = Elige una contraseña nueva
reset-subtitle = Escríbela dos veces. Tus otras sesiones se cierran.
reset-submit = Guardar la contraseña nueva
reset-bad-link = Este enlace ya no sirve: venció o ya se usó. Pide uno nuevo.
reset-ask-again = Enviarme un enlace nuevo
reset-done = Tu contraseña está lista. Inicia sesión con ella.
new-password = Contraseña nueva
new-password-again = Contraseña nueva, otra vez
new-password-help = Al menos 10 caracteres; una frase se recuerda mejor.
password-mismatch = Las dos contraseñas no son iguales.

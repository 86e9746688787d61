# Cartera: interface texts in English, auth. The keys are the same as in es/auth.ftl and
# appear in no other file.

login-title = Log in
login-subtitle = Use your email and password.
login-email = Email
login-password = Password
login-totp = Verification code
login-totp-help = The 6 digits your authenticator app shows.
login-submit = Log in
login-foot = No reset email arriving? An administrator can also reset your password.
login-wrong = The email or the password is not right.
login-wrong-code = The code is not right. Each code works only once.
login-totp-needed = This account has a second factor: enter the code from your app.
login-missing = Enter your email and your password.
login-locked = Too many attempts. Try again in { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
  }.
login-forgot = Forgot your password?
back-to-login = Back to log in
forgot-title = Forgot your password?
forgot-subtitle = Enter your email and we will send you a link to choose a new password.
forgot-submit = Send me a link
forgot-sent = If an active account has this email, a link to choose a new password is on its way. It works for one hour.
forgot-email-needed = Enter your email.
reset-title = Choose a new password
reset-subtitle = Type it twice. Your other sessions will end.
reset-submit = Save the new password
reset-bad-link = This link is not valid any more: it expired or was already used. Ask for a new one.
reset-ask-again = Send me a new link
reset-done = Your password is set. Log in with it.
new-password = New password
new-password-again = New password, again
new-password-help = At least 10 characters; a phrase is easier to remember.
password-mismatch = The two passwords are not the same.

// Console behaviour: live validation, file uploads.

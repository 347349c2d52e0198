"""The entry layer: what every request passes through between HTTP and the services.

One small module per edge concern, used alike by the web views and the API endpoints:

- `rules`: `require(user, rule)` refuses (403) and writes the refused-attempt audit row;
- `problems`: the one API error shape (RFC 9457 problem details) and its status codes;
- `forms`: `apply_errors(form, error)` puts a service's ValidationError on a form;
- `numbers`: Decimal as text, once for people and once for JSON;
- `doors`: `performs(service)` marks which service a view or endpoint is the door to,
  so a test can check that every web operation has its API twin.

Loading a patient stays in `smertespor.patients.access` (the one audited way).
"""

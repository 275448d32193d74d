import persona
from flask import Flask, abort, request

app = Flask(__name__)
WEBHOOK_SECRETS = ("wbhsec_current", "wbhsec_previous")  # tuple: rotation-safe, cached


@app.post("/persona/webhooks")
def persona_webhook():
    try:
        # The raw body bytes, exactly as received: never request.json re-serialized.
        event = persona.webhooks.verify_event(request.headers.get("Persona-Signature"), request.get_data(), WEBHOOK_SECRETS)
    except (persona.WebhookVerificationError, persona.InvalidPayloadError) as error:
        abort(400, error.code)
    app.logger.info("Persona event %s %s", event.name, event.id)
    return "", 204

import persona
from fastapi import FastAPI, HTTPException, Request, Response

app = FastAPI()
WEBHOOK_SECRETS = ("wbhsec_current", "wbhsec_previous")


@app.post("/persona/webhooks", status_code=204)
async def persona_webhook(request: Request) -> Response:
    body = await request.body()  # raw bytes, not the parsed JSON
    try:
        event = persona.webhooks.verify_event(request.headers.get("persona-signature"), body, WEBHOOK_SECRETS)
    except (persona.WebhookVerificationError, persona.InvalidPayloadError) as error:
        raise HTTPException(status_code=400, detail=error.code)
    print("Persona event", event.name, event.id)
    return Response(status_code=204)

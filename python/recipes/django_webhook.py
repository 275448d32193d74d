import persona
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

WEBHOOK_SECRETS = ("wbhsec_current", "wbhsec_previous")


@csrf_exempt  # Persona signs the request; there is no CSRF token
@require_POST
def persona_webhook(request):
    try:
        event = persona.webhooks.verify_event(request.headers.get("Persona-Signature"), request.body, WEBHOOK_SECRETS)
    except (persona.WebhookVerificationError, persona.InvalidPayloadError) as error:
        return HttpResponseBadRequest(error.code)
    print("Persona event", event.name, event.id)
    return HttpResponse(status=204)

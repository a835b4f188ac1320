"""A small Python client for Verka's REST API, and `JobWorker`, a loop that does the work of
service tasks of one job type from outside Verka.

    client = VerkaClient("https://verka.example.org", token)
    client.start_instance("fault-report", {"address": "Storgatan 1"})

    def send_invoice(job):          # must be idempotent: a job can be delivered twice
        ...
        return {"invoiceId": "F-123"}

    JobWorker(client, "send-invoice", send_invoice).run()

Numbers in variables come back as Decimal (exact); send Decimal, int or float.
It depends only on httpx (and the standard library), so it can be copied into other projects.
"""

from .http import ActivatedJob, VerkaApiError, VerkaClient
from .worker import BpmnError, JobFailure, JobWorker

__all__ = [
    "ActivatedJob",
    "BpmnError",
    "JobFailure",
    "JobWorker",
    "VerkaApiError",
    "VerkaClient",
]

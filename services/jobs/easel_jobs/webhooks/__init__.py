"""Webhooks: endpoints users register, the deliveries of jobs' and trainings' ends to them, signed and retried.

manage.py (the API's requests), intake.py (events to deliveries), sender.py (deliveries to receivers).
"""

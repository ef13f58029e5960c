from django.db import models


class BareRegistration(models.Model):
    """The fields of a place-of-stay registration as a hotel sends them, in one table."""

    surname = models.CharField(max_length=200)
    given_names = models.CharField(max_length=200)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)
    nationality = models.CharField(max_length=3)
    document_type = models.CharField(max_length=20)
    document_number = models.CharField(max_length=20)
    issuing_state = models.CharField(max_length=3)
    document_expiry = models.DateField()
    region = models.CharField(max_length=40)
    city = models.CharField(max_length=100)
    street = models.CharField(max_length=200)
    arrival_date = models.DateField()
    planned_departure = models.DateField()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BorderConfig(AppConfig):
    name = "umis.border"
    label = "border"
    verbose_name = _("Border crossings")

    def ready(self) -> None:
        from umis.border import basis, catalogue, jobs, selectors, services, statistics
        from umis.border.models import Presence
        from umis.people.selectors import (
            PurposeSubject,
            person_office_link_register,
            person_purpose_subject_register,
        )
        from umis.people.services import person_derived_link_register

        # an office's officers open the files of the persons of its findings; a crossing at a
        # border point of its region is no reason to (everyone who ever passed through)
        person_office_link_register(selectors.findings_of_office, "person_id")
        # a file opened for an overstay that names its finding: one the officer may see, of
        # this person
        person_purpose_subject_register(
            "overstay",
            PurposeSubject(
                selectors.finding_person_for_user,
                _("There is no finding with this number that you may see."),
                _("This finding does not concern this person."),
                "other_finding",
            ),
        )
        # a merge moves the crossings, then each person's presence is built from them again
        person_derived_link_register(Presence, "person", services.presence_rebuild)
        catalogue.register_services()
        statistics.register_statistics()
        basis.register_provider("visa_free", basis.visa_free_provider)
        basis.register_label("visa_free", basis.visa_free_label)
        jobs.register()

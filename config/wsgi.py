import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Build the screening index in the background now, not on the first intake (UMIS_SCREENING_WARM).
from umis.screening.engine import index_warm_start  # noqa: E402

index_warm_start()

# Fewer cyclic garbage collections, none over what is loaded by now (UMIS_GC_THRESHOLDS).
from umis.core.collector import collector_tune  # noqa: E402

collector_tune()

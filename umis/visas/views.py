from django.http import HttpResponse as _H
def apply(r): return _H()
status_lookup=status=pay=evisa_pdf=refusal_pdf=office_queue=office_dashboard=office_case=office_decide=office_photo=apply

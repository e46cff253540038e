from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form renders through templates/forms/: label, then the error next to the field,
    then the input (marked aria-invalid and described by its error and help text)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

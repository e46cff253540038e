from django.apps import AppConfig


class IpledgeConfig(AppConfig):
    name = "ipledge"
    verbose_name = "iPLEDGE compliance"

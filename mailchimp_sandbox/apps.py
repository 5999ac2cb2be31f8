from django.apps import AppConfig


class MailchimpSandboxConfig(AppConfig):
    name = "mailchimp_sandbox"
    verbose_name = "Mailchimp-sandlåda"

"""``makemessages`` that also extracts ``N_("…")``, our alias of ``gettext_noop``.

Notices to applicants are marked with ``N_`` and translated later in the platform's language
(``applications.actions_base._notify``); without this keyword xgettext skips them and they stay English.
"""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=N_"]

"""The interactive asker: the only package that imports questionary.

Every prompt answers on Enter only, so nothing typed at one prompt can reach the next: a yes/no question
takes whole words (``yes``, ``no``, ``y``, ``n``, any case), a pick-one or tick-box question takes the
choice's number as well as the arrow keys. A key that does nothing says so in the prompt instead of being
dropped. ``<`` (and Shift-Tab anywhere) goes back to the previous question.

Ctrl-C raises ``KeyboardInterrupt`` and Ctrl-D ``EOFError`` at every prompt; the engine's caller turns both
into "your draft is saved, resume with ...". What a person types is judged by the engine's own ``parse``
and ``check`` (the validators an ``--answers`` run uses), never by rules of this module.

The prompts are built of questionary's parts (its list control and layout, its ``Question`` runner) with
prompt-toolkit key bindings and prompt lines of our own: questionary's prompt line is a fixed string, and
here the line shows a hint, or why an answer was refused, in place. Every prompt line and every choice is
wrapped at word boundaries to the terminal's width (prompt-toolkit itself breaks lines mid-word).

The package, a module a part: :mod:`~smcheck.prompts.common` (wrapping, the prompt line, the keys every
prompt takes), :mod:`~smcheck.prompts.text` (a line of text, a yes/no word), :mod:`~smcheck.prompts.lists`
(a numbered list to pick from or tick), :mod:`~smcheck.prompts.widgets` (a question's answer taken by the
widget its kind uses, from the table of kinds), :mod:`~smcheck.prompts.asker` (the engine's calls).
"""

from smcheck.prompts.asker import QuestionaryAsker
from smcheck.prompts.common import WENT_BACK, wrap_fragments
from smcheck.qtypes import yes_no_word

__all__ = ["WENT_BACK", "QuestionaryAsker", "wrap_fragments", "yes_no_word"]

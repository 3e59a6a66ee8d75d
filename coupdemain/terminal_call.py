"""`coupdemain call`: a phone call to the running server's hotline, in a terminal.

Over real HTTP, signed like Twilio with the configured auth token: what Twilio would do with
a real phone, `bots.voice.simulator.PhoneCall` does here. Each line you type is an answer:
digits (`1`, `#`, `0`) are keys, anything else is what you say, an empty line is a silence.
`/quit` hangs up. With `--speak` the sentences are also said aloud by espeak-ng.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import TextIO

from bots.voice.simulator import Heard, PhoneCall

KEYS = re.compile(r"^[0-9#*]+$")
Speaker = Callable[[str, str], None]


def espeak() -> Speaker | None:
    """Say sentences aloud with espeak-ng, if it is installed."""
    program = shutil.which("espeak-ng")
    if program is None:
        return None

    def speak(text: str, language: str) -> None:
        voice = "fr" if language.startswith("fr") else "en-us"
        subprocess.run([program, "-v", voice, "-s", "140", text], check=False)

    return speak


class TerminalCall:
    def __init__(
        self,
        call: PhoneCall,
        *,
        speak: Speaker | None = None,
        read: Callable[[str], str] = input,
        out: TextIO = sys.stdout,
    ) -> None:
        self._call = call
        self._speak = speak
        self._read = read
        self._out = out

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    def run(self) -> int:
        self._print(f"☎  {self._call.person} appelle {self._call.hotline}…")
        heard = self._call.start()
        while self._show(heard):
            try:
                line = self._read("vous> ").strip()
            except (EOFError, KeyboardInterrupt):
                line = "/quit"
            if line == "/quit":
                break
            if KEYS.match(line):
                heard = self._call.answer(digits=line)
            elif line:
                heard = self._call.answer(speech=line)
            else:
                heard = self._call.answer()  # a silence
        self._call.hang_up()
        self._print("☎  raccroché.")
        return 0

    def _show(self, heard: Heard) -> bool:
        """Print (and say) what the caller hears; True while the line waits for an answer."""
        if heard.status != 200:
            self._print(f"!! le serveur répond {heard.status} : {heard.xml[:200]}")
            return False
        language = (heard.gather or {}).get("language", "fr-FR")
        for sentence in heard.said:
            self._print(f"🔊 {sentence}")
            if self._speak is not None:
                self._speak(sentence, language)
        if heard.dialled:
            caller_id = (heard.dial or {}).get("callerId")
            shown = f" (numéro affiché : {caller_id})" if caller_id else ""
            self._print(f"☎  transfert vers {', '.join(heard.dialled)}{shown}")
            self._show(self._call.after_dial("completed"))
            return False
        if heard.hung_up:
            return False
        if heard.gather is not None:
            keys = "une touche" if heard.gather.get("numDigits") == "1" else "des chiffres puis #"
            self._print(f"   (parlez, ou tapez {keys} ; une ligne vide est un silence)")
            return True
        return False

"""Build the Swedish catalogue: merge locale/fragments/*.po into locale/sv/LC_MESSAGES/django.po
and compile django.mo, in pure Python (no GNU gettext needed).

Each area of the code keeps its translations in its own fragment (msgid in English, msgstr in
Swedish), so parallel work never edits the same catalogue. `--check` fails if the committed
catalogue is out of date.

The same catalogue is also compiled as djangojs.mo, so the admin's JavaScript (Wagtail's
/admin/jsi18n/ catalogue) finds the Swedish for strings Wagtail has no translation of yet
(locale/fragments/admin_sv.po).
"""

import array
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = ROOT / "locale" / "fragments"
OUT_DIR = ROOT / "locale" / "sv" / "LC_MESSAGES"
HEADER = (
    "Project-Id-Version: smakom-cms\n"
    "Language: sv\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"
)


def parse_po(path: Path) -> dict:
    """Return {(msgctxt, msgid, msgid_plural): [msgstr, ...]} for one .po file."""
    entries: dict = {}
    current: dict = {}
    key = None

    def flush():
        if current.get("msgid") is not None and current.get("msgid") != "":
            strs = [current[k] for k in sorted(current) if k.startswith("msgstr")]
            entries[(current.get("msgctxt"), current["msgid"], current.get("msgid_plural"))] = strs
        current.clear()

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if (
                not line
                and current.get("msgid") is not None
                and any(k.startswith("msgstr") for k in current)
            ):
                flush()
            continue
        if line.startswith('"'):
            if key is None:
                raise SystemExit(f"{path}:{lineno}: continuation without a keyword")
            current[key] += ast.literal_eval(line)
            continue
        word, _, rest = line.partition(" ")
        if word in {"msgctxt", "msgid"} and any(k.startswith("msgstr") for k in current):
            flush()
        if word.startswith("msgstr["):
            word = f"msgstr_{int(word[7:-1]):02d}"
        if word not in {"msgctxt", "msgid", "msgid_plural", "msgstr"} and not word.startswith(
            "msgstr_"
        ):
            raise SystemExit(f"{path}:{lineno}: unknown keyword {word!r}")
        key = word
        current[key] = ast.literal_eval(rest)
    flush()
    return entries


def quote(s: str) -> str:
    return (
        '"'
        + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        + '"'
    )


def write_po(entries: dict) -> str:
    out = ['msgid ""', 'msgstr ""'] + [
        quote(line + "\n") for line in HEADER.rstrip("\n").split("\n")
    ]
    for (ctxt, msgid, plural), strs in sorted(
        entries.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")
    ):
        out.append("")
        if ctxt is not None:
            out.append(f"msgctxt {quote(ctxt)}")
        out.append(f"msgid {quote(msgid)}")
        if plural is not None:
            out.append(f"msgid_plural {quote(plural)}")
            for i, s in enumerate(strs):
                out.append(f"msgstr[{i}] {quote(s)}")
        else:
            out.append(f"msgstr {quote(strs[0] if strs else '')}")
    return "\n".join(out) + "\n"


def write_mo(entries: dict) -> bytes:
    messages = {"": HEADER}
    for (ctxt, msgid, plural), strs in entries.items():
        if not any(strs):
            continue
        key = msgid if plural is None else msgid + "\0" + plural
        if ctxt is not None:
            key = ctxt + "\x04" + key
        messages[key] = "\0".join(strs)
    keys = sorted(messages)
    ids = strs_ = b""
    offsets = []
    for k in keys:
        kb, vb = k.encode(), messages[k].encode()
        offsets.append((len(ids), len(kb), len(strs_), len(vb)))
        ids += kb + b"\0"
        strs_ += vb + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets, voffsets = [], []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = array.array("I", [0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0])
    return header.tobytes() + array.array("I", koffsets + voffsets).tobytes() + ids + strs_


def main() -> int:
    merged: dict = {}
    for fragment in sorted(FRAGMENTS.glob("*.po")):
        for key, value in parse_po(fragment).items():
            if key in merged and merged[key] != value:
                print(
                    f"warning: {key[1]!r} translated differently in {fragment.name}",
                    file=sys.stderr,
                )
            merged[key] = value
    po, mo = write_po(merged), write_mo(merged)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    po_path, mo_path = OUT_DIR / "django.po", OUT_DIR / "django.mo"
    js_mo_path = OUT_DIR / "djangojs.mo"
    if "--check" in sys.argv:
        if (
            not po_path.exists()
            or po_path.read_text(encoding="utf-8") != po
            or mo_path.read_bytes() != mo
            or not js_mo_path.exists()
            or js_mo_path.read_bytes() != mo
        ):
            print("locale/sv is out of date: run `make messages`", file=sys.stderr)
            return 1
        return 0
    po_path.write_text(po, encoding="utf-8")
    mo_path.write_bytes(mo)
    js_mo_path.write_bytes(mo)
    print(
        f"{len(merged)} messages from {len(list(FRAGMENTS.glob('*.po')))} fragments → {mo_path.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

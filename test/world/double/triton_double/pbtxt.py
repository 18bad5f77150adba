"""Protobuf text format (config.pbtxt), just enough for model configs: every field becomes a list."""
import re

TOKEN = re.compile(r'\s*(?:#[^\n]*\n?|("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|([{}\[\]:,<>;])|([^\s{}\[\]:,<>;#"\']+))')


class PbtxtError(ValueError):
    pass


def tokenize(text):
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise PbtxtError("unexpected character at offset %d" % pos)
            break
        pos = m.end()
        if m.group(1):
            out.append(("str", m.group(1)[1:-1]))
        elif m.group(2):
            out.append(("sym", m.group(2)))
        elif m.group(3):
            out.append(("word", m.group(3)))
    return out


def _scalar(tok):
    kind, v = tok
    if kind == "str":
        return v
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if re.fullmatch(r"-?\d*\.\d+(e-?\d+)?f?", v):
        return float(v.rstrip("f"))
    return {"true": True, "false": False}.get(v, v)


def parse(text):
    toks = tokenize(text)
    pos = [0]

    def peek():
        if pos[0] >= len(toks):
            raise PbtxtError("unexpected end of config")
        return toks[pos[0]]

    def value():
        kind, v = peek()
        if kind == "sym" and v in "{<":
            pos[0] += 1
            return message("}" if v == "{" else ">")
        if kind == "sym" and v == "[":
            pos[0] += 1
            items = []
            while peek() != ("sym", "]"):
                if peek() == ("sym", ","):
                    pos[0] += 1
                    continue
                items.append(value())
            pos[0] += 1
            return items
        pos[0] += 1
        return _scalar((kind, v))

    def message(end):
        msg = {}
        while pos[0] < len(toks) and toks[pos[0]] != ("sym", end):
            kind, key = toks[pos[0]]
            pos[0] += 1
            if kind == "sym":
                continue
            if peek() == ("sym", ":"):
                pos[0] += 1
            v = value()
            msg.setdefault(key, []).extend(v if isinstance(v, list) else [v])
        if end is not None and pos[0] >= len(toks):
            raise PbtxtError("missing '%s'" % end)
        pos[0] += 1
        return msg

    return message(None)


def first(msg, key, default=None):
    v = msg.get(key)
    return v[0] if v else default

#!/usr/bin/env python3
"""Writes cathammer(1) from the binary's own command tree.

Usage: manpage.py CATHAMMER > cathammer.1

The page is made from `cathammer --experimental-dump-help` (swift-argument-parser's description of
every command, option, default and value list) and `cathammer --version`, so it cannot drift from
the binary it ships with.
"""
import datetime
import json
import subprocess
import sys


def roff(text):
    """Text safe for roff: backslashes escaped, no line starting with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def option_names(argument):
    names = []
    for name in argument.get("names", []):
        prefix = {"long": "--", "short": "-", "longWithSingleDash": "-"}[name["kind"]]
        names.append(prefix + name["name"])
    return names


def describe_argument(argument):
    if argument["kind"] == "positional":
        head = "\\fI%s\\fR" % roff(argument.get("valueName", "value"))
    else:
        names = ", ".join("\\fB%s\\fR" % roff(name) for name in option_names(argument))
        head = names + ("" if argument["kind"] == "flag" else " \\fI%s\\fR" % roff(argument.get("valueName", "value")))
    body = argument.get("abstract", "")
    if argument.get("discussion"):
        body += "\n" + argument["discussion"]
    if argument.get("allValues"):
        body += "\nValues: " + ", ".join(argument["allValues"]) + "."
    if argument.get("defaultValue") not in (None, ""):
        body += "\nDefault: " + argument["defaultValue"] + "."
    if argument.get("isRepeating"):
        body += "\nRepeatable."
    return ".TP\n%s\n%s\n" % (head, roff(body))


def command_section(command, path):
    if not command.get("shouldDisplay", True) or command["commandName"] == "help":
        return ""
    name = " ".join(path)
    out = ".SS \"%s\"\n" % roff(name)
    if command.get("abstract"):
        out += roff(command["abstract"]) + "\n"
    if command.get("discussion"):
        out += ".PP\n" + roff(command["discussion"]) + "\n"
    shown = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)
             and option_names(a) not in (["-h", "--help"], ["--version"])]
    if shown:
        out += ".RS\n" + "".join(describe_argument(a) for a in shown) + ".RE\n"
    for sub in command.get("subcommands", []):
        out += command_section(sub, path + [sub["commandName"]])
    return out


def main():
    binary = sys.argv[1]
    tree = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True, text=True).stdout)
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip().split("\n")
    root = tree["command"]
    date = datetime.date.today().isoformat()
    page = '.TH CATHAMMER 1 "%s" "%s" "User Commands"\n' % (date, roff(version[0]))
    page += ".SH NAME\ncathammer \\- %s\n" % roff(root.get("abstract", ""))
    page += ".SH SYNOPSIS\n\\fBcathammer\\fR \\fIcommand\\fR [\\fIoptions\\fR]\n.br\n\\fBcathammer \\-\\-version\\fR\n"
    page += ".SH DESCRIPTION\n" + roff(
        "A strict reference pre-fork HTTP server (cathammer serve) and a harness that attacks any HTTP/1.1 "
        "server with byte-exact and fuzzed requests (run corpus, fuzz), checks reloads under load "
        "(reload-check) and the thundering herd (herd-check), and writes reports for people and for CI "
        "(HTML, JSON, JUnit, Markdown, SARIF).") + "\n"
    page += ".SH CORPUS\n" + roff(
        "The conformance corpus is built into the binary: run corpus, fuzz and corpus lint use it from any "
        "directory unless --corpus names a folder. cathammer corpus export DIR copies it out for editing; "
        "a copy of the built-in corpus is installed in /usr/share/cathammer/corpus. This binary's versions:") + "\n"
    page += "".join(".br\n%s\n" % roff(line) for line in version)
    page += ".SH COMMANDS\n"
    for sub in root.get("subcommands", []):
        page += command_section(sub, ["cathammer", sub["commandName"]])
    page += ".SH EXIT STATUS\n" + roff(
        "0 success; 1 the check found failures (new failures, failed requests, findings of a --fail-on class); "
        "2 usage or input errors; 3 the target could not be started or reached.") + "\n"
    page += ".SH FILES\n.TP\n/usr/share/cathammer/corpus\n" + roff("The built-in corpus as files (one YAML file per case; schema in README.md).") + "\n"
    page += ".TP\nreports/runs/\n" + roff("Where runs write their reports by default, under the working directory (--out DIR chooses another).") + "\n"
    page += ".SH SEE ALSO\n" + roff("The README and reports/README.md in /usr/share/doc/cathammer.") + "\n"
    sys.stdout.write(page)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The layers of the tree, checked against the sources.

  check_layers.py --root SOURCE_DIR --graph AREAS_JSON [--stamp FILE]

AREAS_JSON is written by CMake (cmake/crm_area.cmake) from the crm_area() declarations, the
same ones that create and link the areas' targets:

  {"areas": [{"name": "core", "folder": "plugin/core", "target": "crm_core", "depends": []},
             ...],
   "include_dirs": ["plugin", "adapters/odbc", ...]}   (relative to the root, or absolute)

It fails (exit status 1, one line per finding: file:line and the rule broken) when
  - the declared graph has a cycle, names an area nobody declares, or a folder of plugin/ is
    no declared area (a source file of plugin/ outside any area folder counts too);
  - a file in plugin/<area>/ includes a file of another area that <area> does not declare;
  - plugin/ includes <crm/...> outside plugin/capi, or includes anything of host/, tools/,
    tests/ or bench/;
  - adapters/ includes anything of plugin/ or <crm/...>;
  - host/ includes anything but <crm/...>, the standard library, <boost/...> and
    <nlohmann/...>;
  - an include climbs with ../ out of its own top-level folder (use an include directory);
  - a quoted include of plugin/ or adapters/ resolves to no file;
  - a table is owned (crm_area OWNS) by two areas, or an area READS a table nobody owns or
    declares a read it never makes;
  - SQL in plugin/<area>/ (a string literal) writes (INSERT INTO, UPDATE, DELETE FROM) a table
    <area> does not own, or names a table <area> neither owns nor declares it READS.
With --stamp it writes FILE after a clean check (the build's output of the check).
"""

import argparse
import json
import os
import re
import sys

SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".h", ".hpp")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
HOST_ALLOWED = re.compile(r"^(crm|boost|nlohmann)/")
# What plugin/ may never include, by top-level folder of the tree.
PLUGIN_FORBIDDEN_FOLDERS = ("host", "tools", "tests", "bench", "include")


def sources(root, folder):
    base = os.path.join(root, folder)
    for directory, subdirectories, files in os.walk(base):
        subdirectories.sort()
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.relpath(os.path.join(directory, name), root)


def includes(root, path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as text:
        in_comment = False
        for number, line in enumerate(text, 1):
            if in_comment:
                if "*/" not in line:
                    continue
                line = line.split("*/", 1)[1]
                in_comment = False
            if line.lstrip().startswith("/*") and "*/" not in line:
                in_comment = True
                continue
            match = INCLUDE.match(line)
            if match:
                yield number, match.group(1) == '"', match.group(2)


STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
TABLE = re.compile(r"\bcrm_[a-z0-9_]+\b")
WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(crm_[a-z0-9_]+)\b",
                   re.IGNORECASE)


def without_comments(text):
    """The text with // and /* */ comments blanked (line breaks kept), strings untouched."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("\n" * text.count("\n", i, end))
            i = end
        elif c == '"' or c == "'":
            if c == '"' and i > 0 and text[i - 1] == "R":
                close = text.find("(", i)
                delimiter = ")" + text[i + 1:close] + '"'
                end = text.find(delimiter, close)
                end = n if end < 0 else end + len(delimiter)
                # A raw string becomes one ordinary literal per line, for the line numbers.
                body = text[close + 1:end - len(delimiter)].replace('"', " ")
                out.append('"' + body.replace("\n", '"\n"') + '"')
                i = end
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sql_tables(root, path):
    """(line, table, written) for every crm_ name in a string literal of the file."""
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as text:
        code = without_comments(text.read())
    for number, line in enumerate(code.split("\n"), 1):
        for literal in STRING_LITERAL.findall(line):
            written = {match.group(1) for match in WRITE.finditer(literal)}
            for table in TABLE.findall(literal):
                yield number, table, table in written


def top_folder(relative):
    return relative.split("/", 1)[0] if "/" in relative else ""


def cycles(areas):
    """Every cycle of the declared graph, each once, as a list of names."""
    found, seen = [], set()
    state = {}  # name -> 1 while on the stack, 2 when done

    def visit(name, stack):
        state[name] = 1
        stack.append(name)
        for dependency in areas[name]["depends"]:
            if dependency not in areas:
                continue
            if state.get(dependency) == 1:
                cycle = stack[stack.index(dependency):] + [dependency]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    found.append(cycle)
            elif dependency not in state:
                visit(dependency, stack)
        stack.pop()
        state[name] = 2

    for name in sorted(areas):
        if name not in state:
            visit(name, [])
    return found


def check(root, graph):
    problems = []
    areas = {area["name"]: area for area in graph["areas"]}
    include_dirs = [d if os.path.isabs(d) else os.path.join(root, d)
                    for d in graph["include_dirs"]]
    folder_area = {area["folder"]: name for name, area in areas.items()}

    # ---- the declared graph
    for name in sorted(areas):
        for dependency in areas[name]["depends"]:
            if dependency not in areas:
                problems.append(f"graph: area {name} depends on {dependency}, which is no "
                                f"declared area (crm_area)")
            elif dependency == name:
                problems.append(f"graph: area {name} depends on itself")
    for cycle in cycles(areas):
        if len(cycle) > 2:
            problems.append("graph: the declared dependencies form a cycle: "
                            + " -> ".join(cycle) + " (layers must not depend on each other "
                            "both ways)")
    owner = {}
    for name in sorted(areas):
        for table in areas[name].get("owns", []):
            if table in owner:
                problems.append(f"graph: table {table} is owned by both {owner[table]} and "
                                f"{name} (one owner per table)")
            else:
                owner[table] = name
    for name in sorted(areas):
        for table in areas[name].get("reads", []):
            if table not in owner:
                problems.append(f"graph: area {name} reads {table}, which no area owns "
                                f"(crm_area OWNS)")
    plugin = os.path.join(root, "plugin")
    if os.path.isdir(plugin):
        for entry in sorted(os.listdir(plugin)):
            relative = "plugin/" + entry
            if os.path.isdir(os.path.join(plugin, entry)):
                if relative not in folder_area:
                    problems.append(f"{relative}: a folder of plugin/ that is no declared area "
                                    f"(crm_area)")
            elif entry.endswith(SOURCE_SUFFIXES):
                problems.append(f"{relative}: a source file of plugin/ outside any area folder")

    def resolve(path, text):
        """The file a quoted include names, relative to the root (or None)."""
        for directory in [os.path.dirname(os.path.join(root, path))] + include_dirs:
            candidate = os.path.normpath(os.path.join(directory, text))
            if os.path.isfile(candidate):
                return candidate
        return None

    def relative_to_root(candidate):
        relative = os.path.relpath(candidate, root)
        return None if relative.startswith("..") else relative.replace(os.sep, "/")

    def area_of(relative):
        if relative is None:
            return None
        for folder, name in folder_area.items():
            if relative.startswith(folder + "/"):
                return name
        return None

    def generated_area(candidate):
        """An area owns the generated headers declared for it (e.g. core/version.hpp)."""
        for name, area in areas.items():
            for header in area.get("generated", []):
                if os.path.normpath(header) == os.path.normpath(candidate):
                    return name
        return None

    # ---- the tables the SQL of each area names
    named = {name: set() for name in areas}
    for path in sources(root, "plugin"):
        own_area = area_of(path)
        if own_area is None:
            continue
        area = areas[own_area]
        for line, table, written in sql_tables(root, path):
            if table not in owner or owner[table] == own_area:
                continue
            named[own_area].add(table)
            if written:
                problems.append(f"{path}:{line}: writes {table}, which area {owner[table]} "
                                f"owns (write it through {owner[table]})")
            elif table not in area.get("reads", []):
                problems.append(f"{path}:{line}: reads {table}, which area {owner[table]} owns: "
                                f"read it through {owner[table]}, or declare the read "
                                f"(crm_area({own_area} READS ... {table}))")
    for name in sorted(areas):
        for table in areas[name].get("reads", []):
            if table in owner and table not in named[name]:
                problems.append(f"graph: area {name} declares it reads {table} but its SQL "
                                f"never names it (drop it from crm_area({name} READS))")

    # ---- the sources
    for top in ("plugin", "adapters", "host"):
        for path in sources(root, top):
            own_area = area_of(path)
            for line, quoted, text in includes(root, path):
                spelled = f'"{text}"' if quoted else f"<{text}>"
                where = f"{path}:{line}: #include {spelled}"
                if not quoted:
                    if text.startswith("crm/"):
                        if top == "plugin" and own_area != "capi":
                            problems.append(f"{where}: only plugin/capi may include the public "
                                            f"header; an area uses the core (e.g. "
                                            f"core/version.hpp for versions)")
                        elif top == "adapters":
                            problems.append(f"{where}: adapters/ know no CRM and no C ABI")
                    elif top == "host" and "/" in text and not HOST_ALLOWED.match(text):
                        problems.append(f"{where}: host/ includes only <crm/...>, the standard "
                                        f"library, <boost/...> and <nlohmann/...>")
                    elif top == "host" and "/" not in text and "." in text:
                        problems.append(f"{where}: host/ includes only <crm/...>, the standard "
                                        f"library, <boost/...> and <nlohmann/...>")
                    continue
                if top == "host":
                    problems.append(f"{where}: host/ is a consumer of the public headers only "
                                    f"(<crm/...>); it includes no file of the tree")
                    continue
                candidate = resolve(path, text)
                relative = relative_to_root(candidate) if candidate else None
                if ".." in text.split("/"):
                    lexical = os.path.normpath(os.path.join(os.path.dirname(path), text))
                    if top_folder(lexical.replace(os.sep, "/")) != top:
                        problems.append(f"{where}: climbs out of {top}/ with ../; put the "
                                        f"folder on the target's include path instead")
                if candidate is None:
                    problems.append(f"{where}: names no file (relative to the including file "
                                    f"or an include directory)")
                    continue
                target_area = area_of(relative) or generated_area(candidate)
                target_top = top_folder(relative) if relative else ""
                if top == "adapters":
                    if target_top == "plugin" or target_area is not None:
                        problems.append(f"{where}: adapters/ include nothing of plugin/ (an "
                                        f"adapter knows no CRM rule)")
                    continue
                # top == "plugin"
                if target_top in PLUGIN_FORBIDDEN_FOLDERS:
                    problems.append(f"{where}: plugin/ includes nothing of {target_top}/")
                    continue
                if own_area is None or target_area is None or target_area == own_area:
                    continue
                if target_area not in areas[own_area]["depends"]:
                    problems.append(f"{where}: area {own_area} includes area {target_area}, "
                                    f"which it does not declare (crm_area({own_area} DEPENDS "
                                    f"... {target_area}))")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--graph", required=True)
    parser.add_argument("--stamp")
    arguments = parser.parse_args()
    root = os.path.abspath(arguments.root)
    with open(arguments.graph, encoding="utf-8") as text:
        graph = json.load(text)
    problems = check(root, graph)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} finding(s) in {root} against {arguments.graph}")
        return 1
    tables = sum(len(area.get("owns", [])) for area in graph["areas"])
    print(f"check_layers: {len(graph['areas'])} areas, no cycle, every include within its "
          f"layer, {tables} tables each written by its owner only ({root})")
    if arguments.stamp:
        with open(arguments.stamp, "w", encoding="utf-8") as stamp:
            stamp.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

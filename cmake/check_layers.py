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
  - a quoted include of plugin/ or adapters/ resolves to no file.
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
    print(f"check_layers: {len(graph['areas'])} areas, no cycle, every include within its "
          f"layer ({root})")
    if arguments.stamp:
        with open(arguments.stamp, "w", encoding="utf-8") as stamp:
            stamp.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

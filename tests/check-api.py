#!/usr/bin/python3
# check-api.py: checks that every public function is documented and tested
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-api.py GIR SOURCE_ROOT [--exceptions FILE] [--list]
#
# The project's rule is that every public function has a gi-docgen doc comment with its
# annotations, a C test, and coverage in the Python and GJS binding tests when the bindings
# can reach it. This script checks the rule against the generated GIR (Coro-1.0.gir), so
# that what it checks is what the bindings see:
#
# Callables: every <function>, <constructor> and <method> of the namespace and of its
# classes, records and enumerations, by C identifier (coro_error_quark, listed both as
# Coro.error_quark and Coro.Error.quark, counts once), and every <function-macro> with a
# C identifier (CORO_CREATE_TASK...), which are C-only. Callback types, virtual methods
# and the get_type functions are not callables of the API in this sense. A function the
# headers export (CORO_AVAILABLE_IN_ALL) that is missing from the GIR fails the check: the
# scanner dropped it, and nothing here would check it.
#
# Checks, each one reported by name:
#
#   c       The C identifier appears, outside comments, in a C test: tests/*.c or
#           tests/vala/*.c (the C half of the Vala test, which is a test with assertions
#           of its own). Examples do not count: they are checked only on what they print
#           and teach the common path, not the function's contract. A use of a macro of
#           the public headers that expands to a call of the function counts as a use of it
#           (CORO_ERROR is coro_error_quark (), CORO_TASK_NEW calls coro_task_new).
#   python  Introspectable callables only: the binding name is used in tests/python/*.py.
#   gjs     Introspectable callables only: the binding name is used in tests/gjs/*.js.
#   doc     A gi-docgen doc block (a line "/**" followed by " * symbol:") exists in src/ or
#           include/ (function macros are documented in the headers), the GIR carries
#           documentation for the callable, each of its parameters and its return value
#           (when not void), and it has a Since: version.
#
# Binding names, pragmatically (a name match, not a call graph):
#
#   - a namespace function coro_sleep is reached by "Coro.sleep" (a call or a reference:
#     a function passed as a value is reached too);
#   - a method coro_stream_reader_readline by ".readline(" in any file when no other class
#     has a method of that name, else in a file that names the class (StreamReader) or
#     calls something that returns one (Handle.cancel: a file calling call_later);
#   - a constructor or static function coro_lock_new by "Lock.new(";
#   - an introspectable function that shadows another (coro_gatherv shadows coro_gather)
#     is known to the bindings by the shadowed name (Coro.gather);
#   - in GJS a method or function may also be called by its lowerCamelCase name;
#   - a few callables are reached only through the overrides (gir/overrides/Coro.py and
#     Coro.js wrap them: `async with Coro.timeout ()` calls Timeout.enter and exit, a
#     coroutine's return value goes through task_return_*()): OVERRIDE_REACH below lists
#     them with the binding-level use that reaches them, and a test file using that
#     form counts for them.
#
# Anything missing that tests/api-exceptions.txt does not list fails the check, and so
# does an exception that no longer excuses anything (the list stays short and true).
# The exceptions file has one "IDENTIFIER CHECK REASON" a line, CHECK one of c, python,
# gjs, doc, IDENTIFIER a C identifier or a shell pattern (coro_gtask_propagate*); "#"
# starts a comment line.
#
# With --list, prints every callable and what reaches it.

import argparse
import fnmatch
import os
import re
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
C_NS = '{http://www.gtk.org/introspection/c/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'

CHECKS = ('c', 'python', 'gjs', 'doc')

# The heading of the last section of the exceptions file, which runs to its end: the
# binding tests still to write, which it lets pass meanwhile and the report counts apart.
PENDING = '# binding tests pending'

# A file with Python coroutines in it.
ASYNC_PY = r'\basync\s+def\b'

# Callables the overrides call on the tests' behalf: C identifier -> regular expressions
# (multi-line mode), any of which in a test file of that language counts as reaching it;
# a pair (FILE, PATTERN) counts only in a file where FILE matches too. Each entry is a
# call the override makes on that path (see the override named).
OVERRIDE_REACH = {
    'python': {
        # Coro.py: Timeout.__aenter__ / __aexit__, timeout() and timeout_at().
        'coro_timeout_new': [r'\bCoro\.timeout\s*\('],
        'coro_timeout_new_at': [r'\bCoro\.timeout_at\s*\('],
        'coro_timeout_enter': [r'async\s+with\s+Coro\.timeout(_at)?\s*\('],
        'coro_timeout_exit': [r'async\s+with\s+Coro\.timeout(_at)?\s*\('],
        # Coro.py: TaskGroup.__aexit__ joins (or waits with the body's error), and
        # TaskGroup.create_task adds the coroutine's task.
        'coro_task_group_join': [r'async\s+with\s+Coro\.TaskGroup\b'],
        'coro_task_group_add': [r'async\s+with\s+Coro\.TaskGroup\b'],
        # Coro.py: a coroutine runs as a closure task (_Driver), which asks for the
        # future it awaited each time it is resumed, and ends it with the task_return_*
        # function for the type of the coroutine's return value (_return) or with
        # task_return_error for its exception. Heuristic: a return of such a literal, or a
        # raise, in a file of coroutines.
        'coro_task_get_awaited': [r'\bawait\b'],
        # Coro.py: create_task (coro, name=...) and TaskGroup.create_task name the task.
        'coro_task_set_name': [r'\bcreate_task\s*\(.*\bname\s*='],
        'coro_task_return': [(ASYNC_PY, r'\breturn\s+None\s*$')],
        'coro_task_return_boolean': [(ASYNC_PY, r'\breturn\s+(True|False)\s*$')],
        'coro_task_return_int': [(ASYNC_PY, r'\breturn\s+-?\d+\s*$')],
        'coro_task_return_double': [(ASYNC_PY, r'\breturn\s+-?\d+\.\d*\s*$')],
        'coro_task_return_string': [(ASYNC_PY, r'\breturn\s+[\'"]')],
        'coro_task_return_value': [(ASYNC_PY, r'\breturn\s+\(.*,')],
        'coro_task_return_error': [(ASYNC_PY, r'\braise\s+\w')],
    },
    'gjs': {
        # Coro.js: an async function runs as a closure task whose first step awaits a
        # plain future the promise settles; the task then returns that future.
        'coro_task_get_awaited': [r'\bawait\b'],
        'coro_task_return_future': [r'\bCoro\.(createTask|run)\s*\(\s*async\b'],
        # Coro.js: Future.prototype.result() (and await) sorts a gather's result out
        # through get_futures.
        'coro_future_get_futures': [r'\.result\s*\(', r'\bawait\b'],
    },
}

COMMENT_C = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
COMMENT_PY = re.compile(r'#[^\n]*')
COMMENT_JS = COMMENT_C


class Callable:
    def __init__(self, c_id, kind, owner, name, introspectable, element):
        self.c_id = c_id
        self.kind = kind          # function, constructor, method, function-macro
        self.owner = owner        # class/record/enum name, None for the namespace
        self.name = name          # the binding name
        self.introspectable = introspectable
        self.element = element
        self.aliases = []         # other (owner, name) pairs it is known by
        self.reached = {}         # check -> how (a string) or None


def parse_gir(path):
    root = ET.parse(path).getroot()
    namespace = root.find(CORE + 'namespace')
    callables = {}

    def add(element, owner):
        kind = element.tag[len(CORE):]
        c_id = element.get(C_NS + 'identifier')
        if not c_id:
            return
        name = element.get('shadows') or element.get('name')
        introspectable = element.get('introspectable', '1') != '0'
        if kind == 'function-macro':
            introspectable = False
        if c_id in callables:
            callables[c_id].aliases.append((owner, name))
            return
        callables[c_id] = Callable(c_id, kind, owner, name, introspectable, element)

    for child in namespace:
        tag = child.tag[len(CORE):]
        if tag in ('function', 'function-macro'):
            add(child, None)
        elif tag in ('class', 'record', 'interface', 'enumeration', 'bitfield'):
            for member in child:
                if member.tag[len(CORE):] in ('function', 'constructor', 'method'):
                    add(member, child.get('name'))
    return callables


def check_headers(gir_path, callables, root):
    """The functions the public headers export that the GIR does not list."""
    gir = ET.parse(gir_path).getroot()
    known = set(callables)
    known.update(e.get(GLIB + 'get-type') for e in gir.iter() if e.get(GLIB + 'get-type'))
    exported = re.compile(r'\bCORO_AVAILABLE_IN_ALL\s+[^;(]*?\b(coro_[a-z0-9_]+)\s*\(')
    missing = []
    for path, text in read_files(os.path.join(root, 'include', 'coro'), ('.h',),
                                 COMMENT_C).items():
        for name in exported.findall(text):
            if name not in known:
                missing.append('%s (%s) is exported but not in the GIR'
                               % (name, os.path.relpath(path, root)))
    return missing


def read_files(directory, suffixes, comment_re):
    texts = {}
    if not os.path.isdir(directory):
        return texts
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(suffixes):
            with open(os.path.join(directory, entry), encoding='utf-8') as f:
                texts[os.path.join(directory, entry)] = comment_re.sub('', f.read())
    return texts


def camel(name):
    head, *rest = name.split('_')
    return head + ''.join(part[:1].upper() + part[1:] for part in rest)


def macro_aliases(root):
    """Function-like and object-like macros of the public headers, by the coro_
    functions their expansion calls."""
    aliases = {}
    define = re.compile(r'^#define\s+([A-Z][A-Z0-9_]*)\b(.*(?:\\\n.*)*)', re.M)
    headers = read_files(os.path.join(root, 'include', 'coro'), ('.h',), COMMENT_C)
    headers.update(read_files(os.path.join(root, 'include'), ('.h',), COMMENT_C))
    for text in headers.values():
        for match in define.finditer(text):
            for called in re.findall(r'\b(coro_[a-z0-9_]+)\s*\(', match.group(2)):
                aliases.setdefault(called, set()).add(match.group(1))
    return aliases


def check_c(callables, root):
    aliases = macro_aliases(root)
    texts = {}
    texts.update(read_files(os.path.join(root, 'tests'), ('.c',), COMMENT_C))
    texts.update(read_files(os.path.join(root, 'tests', 'vala'), ('.c',), COMMENT_C))
    for c in callables.values():
        names = [c.c_id] + sorted(aliases.get(c.c_id, ()))
        pattern = re.compile(r'\b(%s)\b' % '|'.join(re.escape(n) for n in names))
        users = [os.path.basename(p) for p, t in texts.items() if pattern.search(t)]
        c.reached['c'] = users[0] if users else None


def binding_patterns(c, lang, method_owners):
    """Regular expressions, each with a file filter (a class name the file must mention,
    or None), that count as the binding using the callable."""
    names = [(c.owner, c.name)] + c.aliases
    patterns = []
    for owner, name in names:
        spellings = [name]
        if lang == 'gjs' and camel(name) != name:
            spellings.append(camel(name))
        for spelling in spellings:
            s = re.escape(spelling)
            if owner is None:
                patterns.append((r'\bCoro\.%s\b' % s, None))
            elif c.kind == 'method' and owner == c.owner:
                # Methods of the same name on several classes: the file must name the class.
                ambiguous = len(method_owners.get(name, ())) > 1
                # Not Coro.wait (): a namespace function of the same name.
                patterns.append((r'(?<!\bCoro)\.%s\s*\(' % s, owner if ambiguous else None))
            else:
                patterns.append((r'\b%s\.%s\s*\(' % (re.escape(owner), s), None))
    return patterns


def check_binding(callables, root, lang):
    if lang == 'python':
        texts = read_files(os.path.join(root, 'tests', 'python'), ('.py',), COMMENT_PY)
    else:
        texts = read_files(os.path.join(root, 'tests', 'gjs'), ('.js',), COMMENT_JS)

    method_owners = {}
    producers = {}
    for c in callables.values():
        if c.kind == 'method' and c.introspectable:
            method_owners.setdefault(c.name, set()).add(c.owner)
        ret = c.element.find(CORE + 'return-value/' + CORE + 'type')
        if c.introspectable and ret is not None and ret.get('name'):
            # A constructor or a static function by its class: Timeout.new, not new.
            spelled = c.name if c.kind == 'method' or c.owner is None else \
                '%s.%s' % (c.owner, c.name)
            producers.setdefault(ret.get('name').split('.')[-1], set()).add(spelled)
    # A file mentions a class by its name or by a call of a callable that returns one
    # (loop.call_later () gives a Handle).
    mentions = {}
    for owner in {o for owners in method_owners.values() for o in owners}:
        spellings = {owner}
        for name in producers.get(owner, ()):
            spellings.update((name, camel(name)) if lang == 'gjs' else (name,))
        mentions[owner] = re.compile(r'\b(%s)\b' % '|'.join(sorted(map(re.escape, spellings))))

    for c in callables.values():
        if not c.introspectable:
            continue
        how = None
        for pattern, owner in binding_patterns(c, lang, method_owners):
            regex = re.compile(pattern)
            for path, text in texts.items():
                if owner is not None and not mentions[owner].search(text):
                    continue
                if regex.search(text):
                    how = os.path.basename(path)
                    break
            if how:
                break
        if how is None:
            for pattern in OVERRIDE_REACH[lang].get(c.c_id, ()):
                file_filter = None
                if isinstance(pattern, tuple):
                    file_filter, pattern = re.compile(pattern[0]), pattern[1]
                regex = re.compile(pattern, re.M)
                for path, text in texts.items():
                    if file_filter is not None and not file_filter.search(text):
                        continue
                    if regex.search(text):
                        how = os.path.basename(path) + ' (through the override)'
                        break
                if how:
                    break
        c.reached[lang] = how


def check_doc(callables, root):
    blocks = {}
    doc_start = re.compile(r'^/\*\*\s*\n \* ([A-Za-z0-9_:.-]+):', re.M)
    for directory in ('src', 'include', os.path.join('include', 'coro')):
        full = os.path.join(root, directory)
        if not os.path.isdir(full):
            continue
        for entry in sorted(os.listdir(full)):
            if not entry.endswith(('.c', '.h')):
                continue
            with open(os.path.join(full, entry), encoding='utf-8') as f:
                for match in doc_start.finditer(f.read()):
                    blocks.setdefault(match.group(1), os.path.join(directory, entry))

    for c in callables.values():
        missing = []
        if c.c_id not in blocks:
            missing.append('no doc block')
        element = c.element
        if element.find(CORE + 'doc') is None:
            missing.append('no description')
        if c.kind != 'function-macro' and not element.get('version'):
            missing.append('no Since:')
        params = element.find(CORE + 'parameters')
        if params is not None:
            for p in params:
                if p.tag not in (CORE + 'parameter', CORE + 'instance-parameter'):
                    continue
                if p.find(CORE + 'doc') is None and p.get('name') != '...':
                    missing.append('parameter %s undocumented' % p.get('name'))
        ret = element.find(CORE + 'return-value')
        if ret is not None:
            rtype = ret.find(CORE + 'type')
            void = rtype is not None and rtype.get('name') == 'none'
            if not void and ret.find(CORE + 'doc') is None:
                missing.append('return value undocumented')
        c.reached['doc'] = None if missing else blocks[c.c_id]
        c.doc_missing = missing


def read_exceptions(path):
    exceptions = {}
    errors = []
    pending = False
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if line.lower().startswith(PENDING):
                pending = True
            if not line or line.startswith('#'):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[1] not in CHECKS:
                errors.append('%s:%d: expected "IDENTIFIER CHECK REASON" with CHECK one of %s'
                              % (path, number, ', '.join(CHECKS)))
                continue
            key = (parts[0], parts[1])
            if key in exceptions:
                errors.append('%s:%d: %s %s listed twice' % (path, number, *key))
            exceptions[key] = (parts[2], number, pending)
    return exceptions, errors


def main():
    parser = argparse.ArgumentParser(description='Checks the API against its docs and tests.')
    parser.add_argument('gir')
    parser.add_argument('source_root')
    parser.add_argument('--exceptions')
    parser.add_argument('--list', action='store_true')
    args = parser.parse_args()

    root = args.source_root
    exceptions_path = args.exceptions or os.path.join(root, 'tests', 'api-exceptions.txt')
    callables = parse_gir(args.gir)
    check_c(callables, root)
    check_binding(callables, root, 'python')
    check_binding(callables, root, 'gjs')
    check_doc(callables, root)
    exceptions, errors = read_exceptions(exceptions_path)
    unscanned = check_headers(args.gir, callables, root)

    ordered = sorted(callables.values(), key=lambda c: c.c_id)
    n_intro = sum(1 for c in ordered if c.introspectable)
    print('# %d callables in %s (%d introspectable, %d C only)'
          % (len(ordered), os.path.basename(args.gir), n_intro, len(ordered) - n_intro))

    if args.list:
        for c in ordered:
            cells = []
            for check in CHECKS:
                if check in ('python', 'gjs') and not c.introspectable:
                    cells.append('%s: -' % check)
                else:
                    cells.append('%s: %s' % (check, c.reached.get(check) or 'MISSING'))
            print('%-48s %s' % (c.c_id, '; '.join(cells)))

    failures = []
    excused = {check: 0 for check in CHECKS}
    pending = {check: [] for check in CHECKS}
    used = set()
    for c in ordered:
        for check in CHECKS:
            if check in ('python', 'gjs') and not c.introspectable:
                continue
            if c.reached.get(check):
                continue
            excuse = next((key for key in exceptions
                           if key[1] == check and fnmatch.fnmatchcase(c.c_id, key[0])), None)
            if excuse is not None:
                used.add(excuse)
                excused[check] += 1
                if exceptions[excuse][2]:
                    pending[check].append(c.c_id)
                continue
            detail = ''
            if check == 'doc':
                detail = ' (%s)' % ', '.join(c.doc_missing)
            elif check in ('python', 'gjs'):
                detail = ' (as %s%s)' % ('' if c.owner is None else c.owner + '.', c.name)
            failures.append('%s: %s%s' % (check, c.c_id, detail))

    for key, (reason, number, _) in sorted(exceptions.items(), key=lambda kv: kv[1][1]):
        if key in used:
            continue
        if not any(fnmatch.fnmatchcase(c_id, key[0]) for c_id in callables):
            errors.append('%s:%d: %s is no callable of the API (any more)'
                          % (exceptions_path, number, key[0]))
        else:
            errors.append('%s:%d: %s %s is not missing any more: remove the exception'
                          % (exceptions_path, number, *key))

    for check in CHECKS:
        applicable = sum(1 for c in ordered if check in ('c', 'doc') or c.introspectable)
        missing = sum(1 for f in failures if f.startswith(check + ':'))
        print('# %-6s %3d of %3d reached, %2d excused (%2d of them pending), %2d missing'
              % (check, applicable - missing - excused[check], applicable, excused[check],
                 len(pending[check]), missing))
    for check in CHECKS:
        if pending[check]:
            print('\nPending %s tests (%d): %s'
                  % (check, len(pending[check]), ' '.join(pending[check])))

    if failures:
        print('\nMissing (add a test or a doc comment; a real exception goes, with its '
              'reason, in %s):' % os.path.relpath(exceptions_path, root))
        for failure in failures:
            print('  ' + failure)
    if unscanned:
        print('\nThe headers export functions the GIR does not have:')
        for line in unscanned:
            print('  ' + line)
    if errors:
        print('\nExceptions file:')
        for error in errors:
            print('  ' + error)
    if failures or errors or unscanned:
        return 1
    print('\nEvery callable is documented and tested, or excused.')
    return 0


if __name__ == '__main__':
    sys.exit(main())

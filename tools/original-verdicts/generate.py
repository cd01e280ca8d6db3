"""Records Nodepool 9.0.0's `config-validate` verdicts on thousands of variations of a full
configuration per driver, as the corpus our tests replay (each driver package's
`test/fixtures/original-verdicts/<driver>.jsonl`, read by `compareWithOriginalVerdicts` in
`@nodepool/core/testing`).

For each driver it builds a base configuration holding every key the original's schemas know
(read from the voluptuous schema objects themselves), checks that the original accepts it, then
at every mapping in it: deletes each key, sets each key of a vocabulary (every key either
implementation knows anywhere) to 17 values of every YAML type, and records the verdicts.

    NODEPOOL_REF=/path/to/nodepool-9.0.0 /usr/bin/python3 generate.py [DRIVER...]

Takes a few minutes per driver.
"""
import copy
import json
import logging
import os
import re
import sys
import tempfile

import original  # noqa: F401  (sets up the stand-ins and the path to the original)
import voluptuous as v
from nodepool.cmd.config_validator import ConfigValidator
from nodepool.config import get_provider_config
from nodepool.driver import ProviderConfig

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '../..'))
PACKAGES = {
    'aws': 'driver-aws', 'azure': 'driver-azure', 'gce': 'driver-gce', 'ibmvpc': 'driver-ibmvpc',
    'kubernetes': 'driver-k8s', 'openshift': 'driver-k8s', 'openshiftpods': 'driver-k8s',
    'openstack': 'driver-openstack', 'static': 'driver-static', 'metastatic': 'driver-metastatic',
}
# Must match VERDICT_VALUES in packages/core/src/testing/original-verdicts.ts.
VALUES = ['x', '', '1', 1, 0, -1, 1.5, True, False, None, ['x'], [1], [], {'k': 'v'}, {'k': 1}, {}, [{'name': 'x'}]]
SCREEN = [0, 3, 10, 13]  # a string, an integer, a list and a mapping: a key refusing all is unknown


def key_name(key):
    """The name a schema key stands for (its first spelling), or None for catch-all keys."""
    if isinstance(key, v.Marker):
        key = key.schema
    if isinstance(key, v.Any):
        key = key.validators[0]
    if key is str:
        return 'anykey'
    return key if isinstance(key, str) else None


def example(schema):
    """A value the schema accepts, holding every optional key it knows."""
    if isinstance(schema, (v.Schema, v.Marker)):
        return example(schema.schema)
    simple = {str: 'x', int: 1, bool: True, float: 1.5, dict: {'k': 'v'}, list: ['x'], object: 'x'}
    if isinstance(schema, type) and schema in simple:
        return simple[schema]
    if isinstance(schema, list):
        return [example(schema[0])] if schema else []
    if isinstance(schema, dict):
        out, groups = {}, set()
        for key, value in schema.items():
            if isinstance(key, v.Exclusive):
                if key.group_of_exclusion in groups:
                    continue
                groups.add(key.group_of_exclusion)
            name = key_name(key)
            if name is not None:
                out[name] = example(value)
        return out
    if isinstance(schema, v.Any):
        mappings = [alternative for alternative in schema.validators if isinstance(alternative, (dict, v.Schema))]
        return example(mappings[0] if mappings else schema.validators[0])
    if isinstance(schema, v.All):
        return example(schema.validators[0])
    if isinstance(schema, v.Coerce):
        return 1.5
    if isinstance(schema, v.In):
        return list(schema.container)[0]
    if isinstance(schema, v.Match):
        return 'x'
    if isinstance(schema, (str, int, bool)):
        return schema
    raise TypeError(f'no example for {schema!r}')


def known_keys(schema, into):
    if isinstance(schema, (v.Schema, v.Marker)):
        return known_keys(schema.schema, into)
    if isinstance(schema, list):
        for item in schema:
            known_keys(item, into)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            spellings = key.schema if isinstance(key, v.Marker) else key
            for spelling in spellings.validators if isinstance(spellings, v.Any) else [spellings]:
                if isinstance(spelling, str):
                    into.add(spelling)
            known_keys(value, into)
    elif isinstance(schema, (v.Any, v.All)):
        for item in schema.validators:
            known_keys(item, into)


def our_keys():
    """Every key our schemas declare (quoted or bare keys of `s.mapping({...})` literals)."""
    keys = set()
    for dirpath, _, files in os.walk(os.path.join(ROOT, 'packages')):
        if 'node_modules' in dirpath or '/test' in dirpath or not re.search(r'/src(/|$)', dirpath):
            continue
        for file in files:
            if file.endswith('.ts') and ('config' in file or 'config' in dirpath or 'schema' in file or 'common-keys' in file):
                with open(os.path.join(dirpath, file)) as source:
                    keys.update(re.findall(r"^\s+'?([a-z][a-z0-9_-]*)'?: ", source.read(), re.M))
    return keys


def main(drivers):
    logging.disable(logging.CRITICAL)
    path = os.path.join(tempfile.mkdtemp(), 'nodepool.yaml')

    def verdict(data):
        with open(path, 'w') as file:
            file.write(json.dumps(data, indent=1))
        return min(original.verdict(path), 1)

    vocabulary = our_keys() | {'bogus-key'}
    known_keys(ConfigValidator.getSchema(), vocabulary)
    bases = {}
    for driver in drivers:
        schema = get_provider_config({'name': 'p', 'driver': driver}).getSchema()
        known_keys(schema, vocabulary)
        provider = example(schema.extend(ProviderConfig.getCommonSchemaDict()))
        provider.update(name='p', driver=driver)
        bases[driver] = {**example(ConfigValidator.getSchema()), 'providers': [provider]}
    vocabulary = sorted(vocabulary)

    for driver in drivers:
        base = bases[driver]
        if verdict(base) != 0:
            sys.exit(f'{driver}: the original rejects the base configuration')
        lines = [{'base': base}]
        for location, node in mappings(base, []):
            def changed(key, value=None, delete=False):
                data = copy.deepcopy(base)
                target = at(data, location)
                if delete:
                    del target[key]
                else:
                    target[key] = value
                return verdict(data)

            for key in list(node):
                lines.append({'at': location, 'delete': key, 'verdict': changed(key, delete=True)})
            # A mapping with free-form keys (tags, env-vars) takes any key: try only two.
            free_form = any(changed('bogus-key', VALUES[i]) == 0 for i in SCREEN)
            unknown = []
            for key in (['bogus-key', 'name'] if free_form else vocabulary):
                screened = {i: changed(key, VALUES[i]) for i in SCREEN}
                if key not in node and all(screened.values()):
                    unknown.append(key)
                    continue
                verdicts = ''.join(str(screened[i] if i in screened else changed(key, VALUES[i])) for i in range(len(VALUES)))
                lines.append({'at': location, 'set': key, 'verdicts': verdicts})
            if unknown:
                lines.append({'at': location, 'unknown': unknown})
        target = os.path.join(ROOT, 'packages', PACKAGES[driver], 'test/fixtures/original-verdicts', f'{driver}.jsonl')
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'w') as file:
            for line in lines:
                file.write(json.dumps(line, separators=(',', ':')) + '\n')
        print(f'{driver}: {len(lines)} lines -> {os.path.relpath(target, ROOT)}', flush=True)


def mappings(node, path):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from mappings(value, path + [key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from mappings(value, path + [index])


def at(data, path):
    for segment in path:
        data = data[segment]
    return data


if __name__ == '__main__':
    main(sys.argv[1:] or sorted(PACKAGES))

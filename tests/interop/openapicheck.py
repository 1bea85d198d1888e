"""A small OpenAPI 3.0 response checker for the tests (no pip packages on the machines):
finds the operation for a method, path and status in docs/openapi.yaml and validates a JSON
body against its schema. Supports what that file uses: $ref, allOf, type, required,
properties, items, enum, minimum, maximum, nullable. Records which (method, path, status) were seen, so a
test can require that every documented response was exercised.
"""

import json
import re

import yaml

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
}


class SchemaError(AssertionError):
    pass


class OpenApi:
    def __init__(self, path):
        with open(path) as f:
            self.document = yaml.safe_load(f)
        self.seen = set()

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise SchemaError("unsupported $ref %s" % ref)
            target = self.document
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    def operation(self, method, path):
        """(template, operation) for a concrete path such as /api/v1/pushes/abc."""
        for template, item in self.document["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^/]+\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, path) and method.lower() in item:
                return template, item[method.lower()]
        raise SchemaError("%s %s is not in the OpenAPI document" % (method, path))

    def check(self, method, path, status, body, content_type="application/json"):
        """Validates one live response; raises SchemaError naming the first mismatch."""
        template, operation = self.operation(method, path.split("?")[0])
        responses = operation["responses"]
        if str(status) not in responses:
            raise SchemaError("%s %s answered %s, which the document does not list (%s)"
                              % (method, template, status, ", ".join(responses)))
        self.seen.add((method.upper(), template, str(status)))
        response = self.resolve(responses[str(status)])
        media = response.get("content", {})
        kind = content_type.split(";")[0].strip()
        if kind not in media:
            raise SchemaError("%s %s %s: content type %s is not documented (%s)"
                              % (method, template, status, kind, ", ".join(media)))
        schema = media[kind].get("schema")
        if schema is not None and kind == "application/json":
            self.validate(json.loads(body) if isinstance(body, (bytes, str)) else body, schema, "$")

    def documented(self):
        """Every (METHOD, path, status) the document lists."""
        result = set()
        for template, item in self.document["paths"].items():
            for method, operation in item.items():
                for status in operation["responses"]:
                    result.add((method.upper(), template, status))
        return result

    def validate(self, value, schema, where):
        schema = self.resolve(schema)
        if value is None and schema.get("nullable"):
            return
        for part in schema.get("allOf", []):
            self.validate(value, part, where)
        kind = schema.get("type")
        if kind == "integer":
            if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())):
                raise SchemaError("%s: %r is not an integer" % (where, value))
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SchemaError("%s: %r is not a number" % (where, value))
        elif kind is not None and not isinstance(value, TYPES[kind]):
            raise SchemaError("%s: %r is not of type %s" % (where, value, kind))
        if "enum" in schema and value not in schema["enum"]:
            raise SchemaError("%s: %r is not one of %s" % (where, value, schema["enum"]))
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaError("%s: %r is below %s" % (where, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaError("%s: %r is above %s" % (where, value, schema["maximum"]))
        if isinstance(value, dict):
            for name in schema.get("required", []):
                if name not in value:
                    raise SchemaError("%s: required property %s is missing" % (where, name))
            for name, sub in schema.get("properties", {}).items():
                if name in value:
                    self.validate(value[name], sub, "%s.%s" % (where, name))
        if isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                self.validate(item, schema["items"], "%s[%d]" % (where, index))

package dev.pageviews.k8s;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Deliberate damage to a copy of a manifest, addressed by JSON pointer ("/spec/job/upgradeMode"). */
final class Edit {

    private Edit() {
    }

    static ObjectNode set(ObjectNode object, String pointer, Object value) {
        JsonPointer path = JsonPointer.compile(pointer);
        JsonNode parent = object.at(path.head());
        JsonNode converted = Kustomize.YAML.valueToTree(value);
        if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(path.last().getMatchingProperty()), converted);
        } else if (parent instanceof ObjectNode map) {
            map.set(path.last().getMatchingProperty(), converted);
        } else {
            throw new IllegalArgumentException(pointer + " has no parent in " + ManifestValidator.describe(object));
        }
        return object;
    }

    static ObjectNode rename(ObjectNode object, String pointer, String newName) {
        JsonPointer path = JsonPointer.compile(pointer);
        ObjectNode parent = (ObjectNode) object.at(path.head());
        JsonNode value = parent.remove(path.last().getMatchingProperty());
        if (value == null) {
            throw new IllegalArgumentException(pointer + " does not exist in " + ManifestValidator.describe(object));
        }
        parent.set(newName, value);
        return object;
    }

    static ObjectNode remove(ObjectNode object, String pointer) {
        JsonPointer path = JsonPointer.compile(pointer);
        JsonNode parent = object.at(path.head());
        JsonNode removed = parent instanceof ArrayNode array
                ? array.remove(Integer.parseInt(path.last().getMatchingProperty()))
                : ((ObjectNode) parent).remove(path.last().getMatchingProperty());
        if (removed == null) {
            throw new IllegalArgumentException(pointer + " does not exist in " + ManifestValidator.describe(object));
        }
        return object;
    }

    static ObjectNode append(ObjectNode object, String arrayPointer, Object value) {
        ((ArrayNode) object.at(arrayPointer)).add(Kustomize.YAML.<JsonNode>valueToTree(value));
        return object;
    }
}

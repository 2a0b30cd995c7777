package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which connections a set of NetworkPolicies allows, evaluated the way Kubernetes defines them: a pod selected by
 * a policy of a type (Ingress or Egress) is isolated in that direction, and then only what some such policy's rules
 * allow gets through; a connection needs both the source's egress and the destination's ingress. Rules' peers:
 * podSelector (the policy's namespace), namespaceSelector (any pod there), both (pods there), ipBlock (any address in
 * the range: pod addresses too, as most network plugins apply it). Ports by number or by the destination's port name.
 */
final class NetworkFlows {

    static final String NAMESPACE = "pageviews";

    /** A pod (or an address outside the cluster: namespace null) with the ports it listens on ("9092/TCP", name -> port). */
    record Endpoint(String name, String namespace, Map<String, String> labels, Map<String, String> ports) {

        boolean external() {
            return namespace == null;
        }

        Map<String, String> namespaceLabels() {
            return external() ? Map.of() : Map.of("kubernetes.io/metadata.name", namespace);
        }
    }

    private final List<JsonNode> policies;

    NetworkFlows(List<? extends JsonNode> objects) {
        this.policies = objects.stream().filter(o -> o.path("kind").asText().equals("NetworkPolicy")).map(o -> (JsonNode) o).toList();
    }

    /** Every allowed connection between the endpoints, as "source -> destination:port/protocol". */
    Set<String> allowed(List<Endpoint> endpoints) {
        Set<String> flows = new TreeSet<>();
        for (Endpoint from : endpoints) {
            for (Endpoint to : endpoints) {
                if (from == to) {
                    continue;
                }
                for (String port : to.ports().values()) {
                    if (allows(from, to, port)) {
                        flows.add(from.name() + " -> " + to.name() + ":" + port);
                    }
                }
            }
        }
        return flows;
    }

    boolean allows(Endpoint from, Endpoint to, String port) {
        return direction(from, "Egress", "egress", "to", to, port) && direction(to, "Ingress", "ingress", "from", from, port);
    }

    /** Whether {@code self}'s policies of one direction let the connection with {@code peer} through. */
    private boolean direction(Endpoint self, String type, String rulesField, String peersField, Endpoint peer, String port) {
        if (self.external() || !self.namespace().equals(NAMESPACE)) {
            return true; // outside this namespace: its policies are not ours to see
        }
        Endpoint destination = type.equals("Egress") ? peer : self;
        boolean isolated = false;
        for (JsonNode policy : policies) {
            if (!types(policy).contains(type) || !matches(policy.at("/spec/podSelector"), self.labels())) {
                continue;
            }
            isolated = true;
            for (JsonNode rule : policy.path("spec").path(rulesField)) {
                if (peerMatches(rule.path(peersField), peer) && portMatches(rule.path("ports"), destination, port)) {
                    return true;
                }
            }
        }
        return !isolated;
    }

    /** policyTypes, or what Kubernetes fills in when it is missing: Ingress, plus Egress if there are egress rules. */
    static Set<String> types(JsonNode policy) {
        Set<String> types = new TreeSet<>();
        JsonNode given = policy.at("/spec/policyTypes");
        if (given.isArray()) {
            given.forEach(t -> types.add(t.asText()));
        } else {
            types.add("Ingress");
            if (policy.at("/spec/egress").isArray()) {
                types.add("Egress");
            }
        }
        return types;
    }

    private static boolean peerMatches(JsonNode peers, Endpoint peer) {
        if (peers.isMissingNode() || peers.isNull() || peers.isEmpty()) {
            return true; // no "from"/"to": every source or destination
        }
        for (JsonNode p : peers) {
            if (p.has("ipBlock")) {
                if (ipBlockMatches(p.path("ipBlock"))) {
                    return true;
                }
                continue;
            }
            if (peer.external()) {
                continue;
            }
            boolean namespaceOk = p.has("namespaceSelector")
                    ? matches(p.path("namespaceSelector"), peer.namespaceLabels())
                    : peer.namespace().equals(NAMESPACE);
            boolean podOk = !p.has("podSelector") || matches(p.path("podSelector"), peer.labels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    /** Only whole-internet blocks are modelled: they match every address, inside the cluster or not. */
    private static boolean ipBlockMatches(JsonNode block) {
        if (!block.path("cidr").asText().equals("0.0.0.0/0")) {
            throw new IllegalArgumentException("ipBlock " + block + ": only 0.0.0.0/0 is modelled by NetworkFlows; extend it");
        }
        return block.path("except").isEmpty();
    }

    private static boolean portMatches(JsonNode ports, Endpoint destination, String port) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            String protocol = p.path("protocol").asText("TCP");
            String number = p.path("port").isInt() ? p.path("port").asText() : destination.ports().get(p.path("port").asText());
            if (!p.has("port") ? port.endsWith("/" + protocol) : port.equals(number + "/" + protocol)) {
                return true;
            }
        }
        return false;
    }

    /** A label selector (matchLabels and matchExpressions) against labels; {} selects everything. */
    static boolean matches(JsonNode selector, Map<String, String> labels) {
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> throw new IllegalArgumentException("selector operator " + expression.path("operator").asText());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The pods a rendered pod template makes, with its labels and its containers' ports. */
    static Endpoint pod(String name, JsonNode podTemplate) {
        Map<String, String> labels = new LinkedHashMap<>();
        podTemplate.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        Map<String, String> ports = new LinkedHashMap<>();
        for (JsonNode container : podTemplate.path("spec").path("containers")) {
            for (JsonNode port : container.path("ports")) {
                String value = port.path("containerPort").asText() + "/" + port.path("protocol").asText("TCP");
                ports.put(port.path("name").asText(value), value);
            }
        }
        return new Endpoint(name, NAMESPACE, labels, ports);
    }

    static Map<String, String> ports(String... portsAndProtocols) {
        Map<String, String> ports = new LinkedHashMap<>();
        for (String port : portsAndProtocols) {
            ports.put(port, port);
        }
        return ports;
    }

    static ObjectNode policy(List<ObjectNode> objects, String name) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals("NetworkPolicy") && o.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new java.util.NoSuchElementException("no NetworkPolicy " + name + " rendered"));
    }
}

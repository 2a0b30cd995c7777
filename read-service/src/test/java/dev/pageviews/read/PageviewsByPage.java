package dev.pageviews.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/** The query the connection tests ask a running service: pageviews per page over the last 7 days, and its rows. */
final class PageviewsByPage {

    static final String QUERY = "{\"site_id\":\"localhost\",\"metrics\":[\"pageviews\"],\"date_range\":\"7d\","
            + "\"dimensions\":[\"event:page\"]}";

    private PageviewsByPage() {}

    static HttpResponse<String> ask(ReadService service) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                + "/api/v2/query")).POST(HttpRequest.BodyPublishers.ofString(QUERY)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Page to pageviews, from a 200 answer's results. */
    static Map<String, Long> counts(HttpResponse<String> answer) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode row : ReadService.json().readTree(answer.body()).get("results")) {
            counts.put(row.get("dimensions").get(0).asText(), row.get("metrics").get(0).asLong());
        }
        return counts;
    }
}

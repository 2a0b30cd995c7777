package dev.pageviews.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageViewRulesTest {

    private static final String EVENT_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";

    @Test
    void anEventIdMayHoldExactlyTheDocumentedCharacters() {
        List<Character> accepted = new ArrayList<>();
        for (int c = Character.MIN_VALUE; c <= Character.MAX_VALUE; c++) {
            if (PageViewRules.isEventIdChar((char) c)) {
                accepted.add((char) c);
            }
        }

        assertThat(accepted).containsExactlyInAnyOrderElementsOf(EVENT_ID_CHARS.chars().mapToObj(c -> (char) c).toList());
    }

    @Test
    void anEventIdIsCheckedCharacterByCharacter() {
        assertThat(PageViewRules.checkEventId("0193a8c2-5f1e-7c3a-9d2b-4f6e8a1b2c3d")).isNull();
        assertThat(PageViewRules.checkEventId(EVENT_ID_CHARS.substring(0, 64))).isNull();
        assertThat(PageViewRules.checkEventId("order:42_a.B-" + '\u0100'))
                .isEqualTo("may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index 13)");
        assertThat(PageViewRules.checkEventId("a" + (char) 127)).contains("at index 1");
        assertThat(PageViewRules.checkEventId("a/b")).contains("at index 1");
    }

    @Test
    void aTextFieldRefusesExactlyTheControlCharactersAndUnpairedSurrogates() {
        for (int c = Character.MIN_VALUE; c <= Character.MAX_VALUE; c++) {
            boolean control = Character.getType(c) == Character.CONTROL;
            String problem = PageViewRules.checkText("a" + (char) c + "b", 100);
            if (control) {
                assertThat(problem).as("U+%04X", c).isEqualTo("must not contain control characters (found one at index 1)");
            } else if (Character.isSurrogate((char) c)) {
                assertThat(problem).as("U+%04X", c).startsWith("must be Unicode text: found an unpaired UTF-16 surrogate at index 1");
            } else {
                assertThat(problem).as("U+%04X", c).isNull();
            }
        }
        assertThat(PageViewRules.checkText("a\ud83d\ude00b", 100)).as("a surrogate pair").isNull();
        assertThat(PageViewRules.checkText("\ude00\ud83d", 100)).as("a pair the wrong way round").contains("at index 0");
    }
}

package dev.anshin.jobs.io;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A minimal JSON writer: the one-line results commands print, and the generator's JSON lines. */
public final class Json {

  private Json() {}

  /** Writes maps, lists, strings, numbers, booleans and nulls; NaN and infinities become null. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        appendString(out, String.valueOf(entry.getKey()));
        out.append(':');
        append(out, entry.getValue());
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        append(out, list.get(i));
      }
      out.append(']');
    } else if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      out.append(Double.isFinite(number) ? String.format(Locale.ROOT, "%.10g", number).replaceFirst("\\.?0+(e|$)", "$1") : "null");
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else {
      appendString(out, value.toString());
    }
  }

  /** Appends {@code text} as a JSON string, escaped. */
  public static void appendString(StringBuilder out, String text) {
    out.append('"');
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}

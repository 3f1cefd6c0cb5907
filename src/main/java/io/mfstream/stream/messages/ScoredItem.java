package io.mfstream.stream.messages;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of a {@link Recommendation}: an item and its predicted rating.
 *
 * @param item the item id
 * @param rating the predicted rating, finite
 */
public record ScoredItem(
    @JsonProperty(value = "item", required = true) String item,
    @JsonProperty(value = "rating", required = true) float rating) {

  public ScoredItem {
    Checks.id(item, "item");
    Checks.finite(rating, "rating");
  }
}

/** `list_all_tags` rows (Python `TagWithCount`): a tag and the number of agents that carry it. */
export interface TagWithCount {
  tag: string;
  count: number;
}
